"""The report filter form: periods, buckets, scope-limited choices, bad input (issue 17)."""

import datetime
import itertools

import pytest
from django.http import QueryDict
from django.utils import timezone

from reference.models import Application, Category, Lpse
from reports.filters import (
    DEFAULT_PERIOD,
    GROUP_DAY,
    GROUP_MONTH,
    GROUP_WEEK,
    ReportFilterForm,
    ReportFilters,
    default_filters,
    default_grouping,
    period_buckets,
    period_dates,
)
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

D = datetime.date
TODAY = D(2026, 12, 6)  # a Sunday


def _form(user, query="", today=TODAY):
    return ReportFilterForm(QueryDict(query) if query else None, user=user, today=today)


# --- Periods and buckets (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "first"),
    [
        ("hari_ini", D(2026, 12, 6)),
        ("7_hari", D(2026, 11, 30)),
        ("30_hari", D(2026, 11, 7)),
        ("90_hari", D(2026, 9, 8)),
        ("bulan_ini", D(2026, 12, 1)),
    ],
)
def test_each_period_ends_today_and_counts_today(period, first):
    assert period_dates(period, TODAY) == (first, TODAY)


def test_this_month_on_the_first_is_one_day_and_a_range_is_taken_as_given():
    assert period_dates("bulan_ini", D(2026, 3, 1)) == (D(2026, 3, 1), D(2026, 3, 1))
    assert period_dates("rentang", TODAY, D(2025, 12, 30), D(2026, 1, 2)) == (
        D(2025, 12, 30),
        D(2026, 1, 2),
    )
    assert period_dates("7_hari", D(2028, 3, 1)) == (D(2028, 2, 24), D(2028, 3, 1))


def test_default_grouping_follows_the_length():
    assert default_grouping(D(2026, 1, 1), D(2026, 1, 31)) == GROUP_DAY
    assert default_grouping(D(2026, 1, 1), D(2026, 2, 1)) == GROUP_WEEK
    assert default_grouping(D(2026, 1, 1), D(2026, 4, 30)) == GROUP_WEEK  # 120 days
    assert default_grouping(D(2026, 1, 1), D(2026, 5, 1)) == GROUP_MONTH


def test_days_are_labelled_in_indonesian():
    buckets = period_buckets(D(2026, 11, 30), D(2026, 12, 2), GROUP_DAY)
    assert [(b.first, b.last) for b in buckets] == [
        (D(2026, 11, 30), D(2026, 11, 30)),
        (D(2026, 12, 1), D(2026, 12, 1)),
        (D(2026, 12, 2), D(2026, 12, 2)),
    ]
    assert [b.label for b in buckets] == ["Sen 30/11", "Sel 01/12", "Rab 02/12"]
    assert buckets[1].short_label == "01/12"
    assert buckets[1].full_label == "Selasa 01/12/2026"


def test_days_across_a_year_end_carry_the_year_and_a_leap_day_is_a_day():
    labels = [b.label for b in period_buckets(D(2027, 12, 31), D(2028, 1, 1), GROUP_DAY)]
    assert labels == ["Jum 31/12/2027", "Sab 01/01/2028"]
    leap = period_buckets(D(2028, 2, 28), D(2028, 3, 1), GROUP_DAY)
    assert [b.first.day for b in leap] == [28, 29, 1]


def test_weeks_run_monday_to_sunday_cut_to_the_period():
    # Given 3 December (a Thursday) to 20 December 2026 (a Sunday)
    buckets = period_buckets(D(2026, 12, 3), D(2026, 12, 20), GROUP_WEEK)
    assert [(b.first, b.last) for b in buckets] == [
        (D(2026, 12, 3), D(2026, 12, 6)),
        (D(2026, 12, 7), D(2026, 12, 13)),
        (D(2026, 12, 14), D(2026, 12, 20)),
    ]
    assert [b.label for b in buckets] == [
        "Minggu 49 (03–06/12/2026)",
        "Minggu 50 (07–13/12/2026)",
        "Minggu 51 (14–20/12/2026)",
    ]
    assert [b.partial for b in buckets] == [True, False, False]
    assert buckets[0].short_label == "Mg 49"


def test_an_iso_week_across_a_year_end_is_week_one_of_the_new_year():
    (week,) = period_buckets(D(2025, 12, 29), D(2026, 1, 4), GROUP_WEEK)
    assert week.label == "Minggu 1 (29/12/2025–04/01/2026)"
    (week,) = period_buckets(D(2026, 11, 30), D(2026, 12, 6), GROUP_WEEK)
    assert week.label == "Minggu 49 (30/11–06/12/2026)"


def test_months_end_on_their_last_day_including_february_of_a_leap_year():
    buckets = period_buckets(D(2027, 12, 15), D(2028, 3, 10), GROUP_MONTH)
    assert [(b.first, b.last) for b in buckets] == [
        (D(2027, 12, 15), D(2027, 12, 31)),
        (D(2028, 1, 1), D(2028, 1, 31)),
        (D(2028, 2, 1), D(2028, 2, 29)),
        (D(2028, 3, 1), D(2028, 3, 10)),
    ]
    assert [b.label for b in buckets] == [
        "Desember 2027",
        "Januari 2028",
        "Februari 2028",
        "Maret 2028",
    ]
    assert buckets[0].short_label == "Des 2027"
    assert [b.partial for b in buckets] == [True, False, False, True]


@pytest.mark.parametrize("grouping", [GROUP_DAY, GROUP_WEEK, GROUP_MONTH])
def test_buckets_cover_the_period_once_in_order(grouping):
    first, last = D(2025, 11, 17), D(2026, 11, 17)
    buckets = period_buckets(first, last, grouping)
    assert buckets[0].first == first and buckets[-1].last == last
    for before, after in itertools.pairwise(buckets):
        assert after.first == before.last + datetime.timedelta(days=1)
    filters = ReportFilters("rentang", first, last, grouping)
    for day in (first, D(2026, 2, 28), D(2026, 3, 1), last):
        index = filters.bucket_index(day, buckets)
        assert index is not None
        assert buckets[index].first <= day <= buckets[index].last
    assert filters.bucket_index(last + datetime.timedelta(days=1)) is None


# --- The form -------------------------------------------------------------------------------


def test_no_query_gives_the_last_30_days_by_day(supervisor):
    form = _form(supervisor)
    filters = form.filters()
    assert filters == default_filters(TODAY)
    assert (filters.period, filters.first, filters.last) == (DEFAULT_PERIOD, D(2026, 11, 7), TODAY)
    assert filters.grouping == GROUP_DAY
    assert len(filters.buckets()) == 30
    assert filters.query_params() == {}


def test_today_is_the_viewers_local_date(supervisor):
    # At 23:30 UTC on 5 December it is already 6 December in Jayapura (WIT)
    moment = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
    with timezone.override("Asia/Jayapura"):
        today = timezone.localdate(moment)
    with timezone.override("Asia/Jakarta"):
        assert timezone.localdate(moment) == D(2026, 12, 6)
    assert today == D(2026, 12, 6)
    with timezone.override("Asia/Jayapura"):
        form = ReportFilterForm(QueryDict("periode=hari_ini"), user=supervisor)
        assert form.filters().first == timezone.localdate()


def test_a_chosen_range_with_grouping_and_every_dimension(supervisor, upload_category):
    # Given a supervisor's choice of every filter
    lpse = Lpse.objects.get(kd_lpse=119)
    spse = Application.objects.get(code="SPSE")
    parent = upload_category.parent
    query = (
        f"periode=rentang&dari=15/12/2025&sampai=14/02/2026&lpse={lpse.pk}"
        f"&aplikasi={spse.pk}&kategori={parent.pk}&tier=2&prioritas=major&peran=pokja&per=bulan"
    )
    form = _form(supervisor, query)
    # Then all of them apply
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert (filters.first, filters.last, filters.grouping) == (
        D(2025, 12, 15),
        D(2026, 2, 14),
        GROUP_MONTH,
    )
    assert [b.label for b in filters.buckets()] == [
        "Desember 2025",
        "Januari 2026",
        "Februari 2026",
    ]
    assert filters.lpse == lpse and filters.application == spse
    assert filters.category == parent
    assert upload_category.pk in filters.category_ids and parent.pk in filters.category_ids
    assert set(filters.category_ids) == {parent.pk, *parent.children.values_list("pk", flat=True)}
    assert (filters.tier, filters.priority, filters.reporter_role) == (2, "major", "pokja")
    # And the same filters come back from their query string
    again = _form(supervisor, _urlencode(filters.query_params()))
    assert again.filters() == filters


def _urlencode(params):
    query = QueryDict(mutable=True)
    query.update(params)
    return query.urlencode()


def test_dates_alone_mean_a_range(supervisor):
    filters = _form(supervisor, "dari=01/12/2026&sampai=06/12/2026").filters()
    assert (filters.period, filters.first, filters.last) == ("rentang", D(2026, 12, 1), TODAY)


def test_the_dimensions_filter_tickets_and_fact_rows_alike(supervisor, alice, carol):
    spse_119, spse_10 = make_ticket(alice), make_ticket(carol)
    lpse = Lpse.objects.get(kd_lpse=119)
    filters = _form(supervisor, f"lpse={lpse.pk}&peran=ppk&tier=1").filters()
    found = set(Ticket.objects.filter(filters.dimension_q()).values_list("pk", flat=True))
    assert found == {spse_119.pk}
    assert spse_10.pk not in found
    assert "ticket__lpse_id" in str(filters.dimension_q("ticket__"))


BAD_QUERIES = {
    "periode=kemarin": ("periode", "Periode tidak dikenal"),
    "periode=rentang&dari=31/02/2026&sampai=01/03/2026": ("dari", "Tanggal tidak valid"),
    "periode=rentang&dari=07/12/2026&sampai=01/12/2026": ("sampai", "tidak boleh sebelum"),
    "periode=rentang&dari=01/01/2025&sampai=02/01/2026": ("sampai", "paling panjang 366 hari"),
    "periode=rentang&dari=01/12/2026": ("sampai", "Isi tanggal"),
    "periode=rentang&sampai=01/12/2026": ("dari", "Isi tanggal"),
    "periode=rentang&dari=01/01/0001&sampai=01/01/0001": ("dari", "Tanggal harus antara"),
    "dari=01/01/9999": ("dari", "Tanggal harus antara"),
    "lpse=abc": ("lpse", "LPSE tidak dikenal"),
    "lpse=999999999999999999999": ("lpse", "LPSE tidak dikenal"),
    "aplikasi=-1": ("aplikasi", "Aplikasi tidak dikenal"),
    "kategori=1.5": ("kategori", "Kategori tidak dikenal"),
    "tier=9": ("tier", "Tier tidak dikenal"),
    "tier=x": ("tier", "Tier tidak dikenal"),
    "prioritas=urgent": ("prioritas", "Prioritas tidak dikenal"),
    "peran=admin": ("peran", "Peran pelapor tidak dikenal"),
    "per=tahun": ("per", "Pengelompokan tidak dikenal"),
}


@pytest.mark.parametrize("query", list(BAD_QUERIES))
def test_a_bad_value_is_explained_and_falls_back_to_its_default(supervisor, query):
    # Given a hand-edited query string with one bad value
    form = _form(supervisor, query)
    # Then the form says what is wrong, in Indonesian, on that field
    field, message = BAD_QUERIES[query]
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors
    # And the report still has filters: the defaults where the value was bad
    filters = form.filters()
    default = default_filters(TODAY)
    assert (filters.period, filters.first, filters.last) == (
        default.period,
        default.first,
        default.last,
    )
    assert filters.lpse is None and filters.application is None and filters.category is None
    assert filters.tier is None and filters.priority == "" and filters.reporter_role == ""


def test_a_category_of_another_application_is_refused(supervisor, upload_category):
    katalog = Application.objects.get(code="KATALOG")
    form = _form(supervisor, f"aplikasi={katalog.pk}&kategori={upload_category.pk}")
    assert "bukan kategori aplikasi yang dipilih" in form.errors["kategori"][0]
    filters = form.filters()
    assert filters.application == katalog and filters.category is None


def test_a_very_long_or_repeated_value_is_just_a_bad_value(supervisor):
    form = _form(supervisor, "periode=" + "x" * 10_000 + "&lpse=1&lpse=2&dari=" + "9" * 500)
    assert form.filters().period == DEFAULT_PERIOD


def test_an_lpse_supervisor_chooses_only_their_lpse(supervisor_119, upload_category):
    form = _form(supervisor_119)
    lpse_field = form.fields["lpse"]
    assert [lpse.kd_lpse for lpse in lpse_field.queryset] == [119]
    other = Lpse.objects.get(kd_lpse=10)
    # Another LPSE reads exactly like one that does not exist
    form = _form(supervisor_119, f"lpse={other.pk}")
    assert form.errors["lpse"] == _form(supervisor_119, "lpse=987654").errors["lpse"]
    assert form.filters().lpse is None


def test_a_group_supervisor_chooses_only_their_applications_and_categories(
    supervisor_spse_group, upload_category
):
    form = _form(supervisor_spse_group)
    codes = {app.code for app in form.fields["aplikasi"].queryset}
    assert codes == {"SPSE", "SIKAP", "EPROC", "INAPROC"}
    category_apps = {c.application.code for c in form.fields["kategori"].queryset}
    assert category_apps <= codes
    katalog = Application.objects.get(code="KATALOG")
    katalog_category = Category.objects.filter(application=katalog).order_by("pk")[0]
    bad = _form(supervisor_spse_group, f"aplikasi={katalog.pk}&kategori={katalog_category.pk}")
    assert "aplikasi" in bad.errors and "kategori" in bad.errors
    # The choices are the console's tree, grouped per application of the scope
    groups = dict(form.fields["kategori"].choices[1:])
    assert set(groups) <= codes and "KATALOG" not in groups
    labels = dict(groups["SPSE"])
    assert labels[upload_category.parent.pk] == "Penawaran"
    assert labels[upload_category.pk] == "\u00a0\u00a0› Gagal upload dokumen penawaran"


def test_somebody_who_may_not_read_reports_has_no_choices(agent):
    form = _form(agent)
    assert not form.fields["lpse"].queryset.exists()
    assert not form.fields["aplikasi"].queryset.exists()
    assert not form.fields["kategori"].queryset.exists()


def test_the_form_reads_in_a_bounded_number_of_queries(
    supervisor, upload_category, kept, django_assert_max_num_queries
):
    query = (
        f"periode=90_hari&aplikasi={upload_category.application_id}"
        f"&kategori={upload_category.parent_id}&lpse={Lpse.objects.get(kd_lpse=119).pk}"
    )
    _form(supervisor, query).filters()  # the reference book is read (kept, as in production)
    with django_assert_max_num_queries(6):
        _form(supervisor, query).filters()


def test_other_filters_without_a_period_show_the_period_that_applies(supervisor):
    form = _form(supervisor, "tier=2")
    assert form.filters().period == DEFAULT_PERIOD
    assert f'<option value="{DEFAULT_PERIOD}" selected>' in str(form["periode"])
    unbound = _form(supervisor)
    assert f'<option value="{DEFAULT_PERIOD}" selected>' in str(unbound["periode"])
