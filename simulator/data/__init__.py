"""Synthetic data of the outside sources (Data Warehouse LKPP, Katalog, SiRUP).

Pure Python with no Django import, so tests can build and inspect the data in-process.
"""
