"""One plain INSERT for a list of new model instances: `bulk_create` without its generality.

The public intake writes five rows of four models per request, and the ORM's statement
building cost more than the statements (bench/onestop.py). `insert` keeps what matters of
the ORM — every value is prepared by its field (`pre_save`, `get_db_prep_save`: auto-now
timestamps, JSON, decimals, time zones as the ORM writes them) — and caches the statement's
text per model and row count. Like `bulk_create` it sends no signals and calls no `save()`:
use it only for models that have neither (the hot paths' models don't).
"""

import functools

from django.db import connection
from django.db.models import Model


def insert(objs: list[Model]) -> None:
    """Insert `objs` (new instances of one model) in one statement; set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model)
    params = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"insert() takes instances of one model ({model.__name__}), not {type(obj).__name__}")
        params += [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, len(objs), connection.vendor), params)
        rows = cursor.fetchall()
    for obj, (pk,) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.cache
def _fields(model: type[Model]) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@functools.cache
def _statement(model: type[Model], rows: int, vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _fields(model))
    row = "(" + ", ".join(["%s"] * len(_fields(model))) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
