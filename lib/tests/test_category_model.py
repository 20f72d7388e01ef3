"""The offline category model (lib/category_model.py): storage, ranking, robustness.

Accuracy is measured by scripts/evaluate_category_model.py, not asserted here; the one
accuracy test below uses a tiny set where the answer is obvious.
"""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.category_model import Example, Model, ModelFormatError, Options, features, train

PASSWORD = "Akun › Lupa password"
UPLOAD = "Penawaran › Gagal upload penawaran"
SCHEDULE = "Jadwal › Perubahan jadwal"
CATALOG_PRODUCT = "Produk › Produk tidak tampil"
CATALOG_ORDER = "Transaksi › Pesanan gagal"

TEXTS = {
    ("SPSE", PASSWORD): [
        "lupa password akun penyedia tidak bisa login",
        "user id terblokir salah password tiga kali",
        "reset kata sandi tidak masuk ke email, lupa password",
    ],
    ("SPSE", UPLOAD): [
        "gagal upload dokumen penawaran file rhs",
        "tidak bisa unggah penawaran, apendo error saat upload",
        "upload penawaran gagal terus padahal file rhs sudah benar",
    ],
    ("SPSE", SCHEDULE): [
        "jadwal tahap pembukaan perlu diubah pokja",
        "mohon perubahan jadwal tender karena adendum",
        "jadwal evaluasi salah, bagaimana mengubah jadwal",
    ],
    ("KATALOG", CATALOG_PRODUCT): [
        "produk kami tidak tampil di katalog",
        "etalase produk kosong, produk tidak muncul",
    ],
    ("KATALOG", CATALOG_ORDER): [
        "pesanan gagal dibuat oleh pembeli",
        "transaksi pesanan gagal saat checkout",
    ],
}
EXAMPLES = [
    Example(app, category, text) for (app, category), texts in TEXTS.items() for text in texts
]
# Few steps: enough on this tiny set, and the tests stay quick.
OPTIONS = Options(epochs=60)


@pytest.fixture(scope="module")
def model() -> Model:
    return train(EXAMPLES, OPTIONS)


def test_obvious_texts_get_their_category_first(model: Model) -> None:
    # given a model trained on a tiny, clear-cut set
    # when new wordings of each problem come in (with a typo and informal words)
    # then the obvious category ranks first
    assert model.top("gak bisa login, lupa pasword", "SPSE")[0][0] == PASSWORD
    assert model.top("uplod penawaran gagal mulu", "SPSE")[0][0] == UPLOAD
    assert model.top("tolong ubah jadwal tender", "SPSE")[0][0] == SCHEDULE
    assert model.top("produk gak tampil", "KATALOG")[0][0] == CATALOG_PRODUCT


def test_top_is_sorted_within_the_application_and_respects_k(model: Model) -> None:
    spse = {category for (app, category) in TEXTS if app == "SPSE"}
    for k in (1, 2, 3, 10):
        ranked = model.top("gagal upload penawaran", "SPSE", k=k)
        assert len(ranked) == min(k, len(spse))
        assert {category for category, _score in ranked} <= spse
        scores = [score for _category, score in ranked]
        assert scores == sorted(scores, reverse=True)
    katalog = model.top("gagal upload penawaran", "KATALOG", k=3)
    assert {c for c, _s in katalog} == {CATALOG_PRODUCT, CATALOG_ORDER}


def test_unknown_application_and_zero_k_give_no_suggestion(model: Model) -> None:
    assert model.top("lupa password", "SIRUP") == []
    assert model.top("lupa password", "SPSE", k=0) == []


def test_round_trip_through_json_gives_identical_predictions(model: Model) -> None:
    # given a model written to JSON and read back
    loaded = Model.from_json(model.to_json())
    # then every prediction is identical (scores to the last bit), and the metadata too
    probes = [text for texts in TEXTS.values() for text in texts] + ["", "xyz", "gagal 123"]
    for text in probes:
        for app in ("SPSE", "KATALOG"):
            assert loaded.top(text, app, k=5) == model.top(text, app, k=5)
    assert (loaded.trained_at, loaded.version, loaded.examples) == (
        model.trained_at,
        model.version,
        model.examples,
    )
    assert loaded.options == model.options
    assert Model.from_json(model.to_json().encode()).to_json() == model.to_json()


def test_training_is_deterministic_and_ignores_the_order_of_examples() -> None:
    first = json.loads(train(EXAMPLES, OPTIONS).to_json())
    second = json.loads(train(list(reversed(EXAMPLES)), OPTIONS).to_json())
    first.pop("trained_at"), second.pop("trained_at")
    assert first == second


@pytest.mark.parametrize("pooled", [True, False])
@pytest.mark.parametrize("classifier", ["logreg", "centroid", "cnb"])
def test_every_classifier_trains_and_round_trips(classifier: str, pooled: bool) -> None:
    model = train(EXAMPLES, Options(classifier=classifier, epochs=20, pooled=pooled))
    loaded = Model.from_json(model.to_json())
    for app in ("SPSE", "KATALOG"):
        ranked = model.top("lupa password", app, k=5)
        assert loaded.top("lupa password", app, k=5) == ranked
        assert {c for c, _s in ranked} == {c for (a, c) in TEXTS if a == app}


def test_a_per_application_model_gets_obvious_texts_right() -> None:
    model = train(EXAMPLES, Options(epochs=60, pooled=False))
    assert model.top("gak bisa login, lupa pasword", "SPSE")[0][0] == PASSWORD
    assert model.top("produk gak tampil", "KATALOG")[0][0] == CATALOG_PRODUCT
    assert model.top("lupa password", "SIRUP") == []


def test_a_pickle_is_refused_with_a_clear_error(model: Model) -> None:
    payload = pickle.dumps({"format": "lpse-support/category-model"})
    with pytest.raises(ModelFormatError, match="pickle"):
        Model.from_json(payload)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["applications"]["*"]["features"].pop(), "shapes do not match"),
        (lambda d: d["applications"]["*"]["categories"].pop(), "shapes do not match"),
        (lambda d: d["applications"]["*"]["categories"].clear(), "shapes do not match"),
        (lambda d: d["applications"]["*"]["weights"]["shape"].reverse(), "shapes do not match"),
        (lambda d: d["applications"]["*"]["idf"]["shape"].append(2), "cannot hold"),
        (lambda d: d["applications"]["*"]["bias"].update(base64="AAAA"), "cannot hold"),
        (lambda d: d["applications"]["*"]["bias"].update(base64="!!"), "Malformed"),
        (lambda d: d["applications"]["*"]["bias"].update(dtype="float64"), "float32-le"),
        (lambda d: d["applications"]["*"].pop("features"), "Malformed"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d.update(format="something-else"), "Not a category model"),
        (lambda d: d["options"].update(surprise=1), "Malformed"),
    ],
)
def test_a_damaged_model_is_refused_with_a_clear_error(
    model: Model, change: object, message: str
) -> None:
    document = json.loads(model.to_json())
    change(document)  # type: ignore[operator]
    with pytest.raises(ModelFormatError, match=message):
        Model.from_json(json.dumps(document))


@pytest.mark.parametrize("payload", ["", "not json", "[1, 2]", b"\xff\xfe", "null"])
def test_garbage_is_refused_with_a_clear_error(payload: str | bytes) -> None:
    with pytest.raises(ModelFormatError):
        Model.from_json(payload)


def test_features_connect_typos_and_ignore_codes() -> None:
    upload, typo = features("upload"), features("uplod")
    assert set(upload) & set(typo) - {"w:upload", "w:uplod"}
    assert features("tender 123456 gagal") == features("tender 98765 gagal")


@settings(max_examples=50, deadline=None)
@given(text=st.one_of(st.text(max_size=3), st.text(min_size=2000, max_size=6000), st.text()))
def test_any_text_never_raises(model: Model, text: str) -> None:
    ranked = model.top(text, "SPSE", k=3)
    assert len(ranked) == 3
    assert all(0.0 <= score <= 1.0 for _category, score in ranked)


def test_a_pooled_model_suggests_only_the_applications_categories() -> None:
    # given one classifier trained over every application's examples
    model = train(EXAMPLES, OPTIONS)
    loaded = Model.from_json(model.to_json())
    # then suggestions stay within the chosen application, and survive a round trip
    ranked = model.top("produk gak tampil, pesanan gagal", "KATALOG", k=5)
    assert {c for c, _s in ranked} == {CATALOG_PRODUCT, CATALOG_ORDER}
    assert ranked[0][0] == CATALOG_PRODUCT or ranked[0][0] == CATALOG_ORDER
    assert sum(score for _c, score in ranked) == pytest.approx(1.0, abs=1e-5)
    assert model.top("lupa pasword", "SPSE")[0][0] == PASSWORD
    assert model.top("lupa password", "SIRUP") == []
    for text in ("", "gagal upload", "produk"):
        for app in ("SPSE", "KATALOG"):
            assert loaded.top(text, app, k=5) == model.top(text, app, k=5)


def test_a_pooled_model_with_unknown_allowed_categories_is_refused() -> None:
    document = json.loads(train(EXAMPLES, Options(epochs=5)).to_json())
    document["allowed"]["SPSE"].append("Nowhere › Not a category")
    with pytest.raises(ModelFormatError, match="Pooled"):
        Model.from_json(json.dumps(document))
