"""One plain INSERT for a list of new model instances: `bulk_create` without its generality.

The public intake writes five rows of four models per request, and the ORM's statement
building cost more than the statements (bench/onestop.py). `insert` keeps what matters of
the ORM — every value is prepared by its field (`pre_save`, `get_db_prep_save`: auto-now
timestamps, JSON, decimals, time zones as the ORM writes them) — and caches the statement's
text per model and row count. Like `bulk_create` it sends no signals and calls no `save()`:
use it only for models that have neither (the hot paths' models don't).

`json_rows` and `from_json` serve a PostgreSQL statement that writes rows of several tables
at once (onestop.intake_statement): each table's rows travel as one JSON parameter, prepared
the same way, and are read back with `jsonb_populate_record(set)`.
"""

import datetime
import decimal
import functools
import json

from django.db import connection, connections
from django.db.models import DateField, DateTimeField, Field, Model, signals
from django.db.models.base import ModelState


def insert(objs: list[Model]) -> None:
    """Insert `objs` (new instances of one model) in one statement; set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model)
    db = connections[connection.alias]  # once, rather than through the proxy for every value
    params = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"insert() takes instances of one model ({model.__name__}), not {type(obj).__name__}")
        params += [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, len(objs), connection.vendor), params)
        rows = cursor.fetchall()
    for obj, (pk,) in zip(objs, rows, strict=True):
        saved(obj, pk)


def build(model: type[Model], **values) -> Model:
    """A new instance of `model`, as `model(**values)` makes it — each concrete field set from
    `values` (a relation by its object, or by its `<name>_id`) or to its default — without
    `Model.__init__`'s generality (positional arguments, properties, per-field checks): a
    fifth of the time for a model of forty fields. A model that has pre_init or post_init
    receivers is made by its `__init__`, which sends them."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    attributes = obj.__dict__
    for field, name, attname, target in _build_plan(model):
        if name in values:
            value = values.pop(name)
            if target:  # a relation given by its object
                attributes[attname] = None if value is None else getattr(value, target)
                state.fields_cache[name] = value
                continue
        elif attname in values:
            value = values.pop(attname)
        else:
            value = field.get_default()
        attributes[attname] = value
    if values:
        raise TypeError(f"{model.__name__} got unexpected keyword arguments: {', '.join(values)}")
    return obj


@functools.cache
def _build_plan(model: type[Model]) -> tuple:
    """Each field, its name and attribute, and for a relation the attribute it copies from the
    related object."""
    return tuple(
        (field, field.name, field.attname, field.target_field.attname if field.many_to_one else None)
        for field in model._meta.concrete_fields
    )


def saved(obj: Model, pk: int) -> None:
    """Mark `obj` as the row `pk` just inserted."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def json_rows(objs: list[Model], values: list[dict] | None = None) -> str:
    """New rows of one model as one JSON array of objects keyed by column, for a PostgreSQL
    statement that reads them with `jsonb_populate_recordset(NULL::table, …)` (`from_json`):
    one parameter for any number of rows and columns. Each value is what `insert` would send
    (the field's `pre_save`, then its preparation, skipped for the values it leaves as they
    are: `_prepared`); `values` (one dict per row, by field name) replaces some. One row
    (`from_json(…, many=False)`) is a JSON object rather than an array."""
    db = connections[connection.alias]  # once, rather than through the proxy for every value
    rows = []
    for n, obj in enumerate(objs):
        given = values[n] if values else {}
        attributes = obj.__dict__
        row = {}
        for field, column, attname, plain in _json_plan(type(obj)):
            if field.name in given:
                value = given[field.name]
            else:
                value = _prepared(field, attributes[attname] if plain else field.pre_save(obj, True), db)
            if value is not None:  # an absent key is read as NULL
                row[column] = value
        rows.append(row)
    return json.dumps(rows, default=_json_value, ensure_ascii=False)


@functools.cache
def _json_plan(model: type[Model]) -> tuple:
    """Each column's field, name and attribute, and whether the field's `pre_save` only reads
    the attribute (then the value is read directly: a call less per column)."""
    return tuple((field, field.column, field.attname, _reads_only(field)) for field in _fields(model))


def _reads_only(field) -> bool:
    pre_save = type(field).pre_save
    if pre_save is Field.pre_save:
        return True
    # DateField's and DateTimeField's set the time, but only with auto_now or auto_now_add.
    return pre_save in (DateField.pre_save, DateTimeField.pre_save) and not (field.auto_now or field.auto_now_add)


def _prepared(field, value, db):
    """The value as the field would prepare it for PostgreSQL, for JSON. Values that preparing
    leaves as they are (text, numbers, booleans, aware datetimes, nothing) skip it: the fields'
    preparation cost more than the statement."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, datetime.datetime) and value.tzinfo:
        return value.isoformat()  # as `_json_value` would, without the encoder calling back
    if field.get_internal_type() == "JSONField":
        return value  # the document itself, not its adapter
    return field.get_db_prep_save(value, db)


def _json_value(value):
    """Prepared values JSON has no type for, as PostgreSQL reads them back: full precision
    (DjangoJSONEncoder would cut microseconds)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def json_row(obj: Model) -> str:
    """One new row as a JSON object (see `json_rows`)."""
    return json_rows([obj])[1:-1]


def from_json(model: type[Model], given: dict[str, str], source: str, *, many: bool = True) -> str:
    """`INSERT INTO table (columns) SELECT …` of the rows of a `json_rows` parameter (`%s`;
    `json_row` if not `many`), joined to `source` (other parts of the statement, or ""), with
    the columns named in `given` taken from SQL expressions instead of the JSON (field name →
    expression). One row is read with `jsonb_populate_record`, which the planner counts as
    one row (it counts 100 for a set, which can make a small statement look costly enough to
    be compiled: PostgreSQL's JIT, hundreds of milliseconds)."""
    return _from_json(model, tuple(given.items()), source, many)


@functools.cache
def _from_json(model: type[Model], given: tuple, source: str, many: bool) -> str:
    quote = connection.ops.quote_name
    expressions = dict(given)
    table = quote(model._meta.db_table)
    # Column names quoted only if they must be: the statement stays short, and psycopg caches
    # the parsing of a statement only up to 4,096 characters (onestop.intake_statement).
    names = [_plain(field.column) or quote(field.column) for field in _fields(model)]
    columns = ", ".join(names)
    pairs = zip(_fields(model), names, strict=True)
    selected = ", ".join(expressions.get(field.name, f"r.{name}") for field, name in pairs)
    function = "jsonb_populate_recordset" if many else "jsonb_populate_record"
    rows = f"{function}(NULL::{table}, CAST(%s AS jsonb)) AS r"
    return f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {', '.join(filter(None, [source, rows]))}"


def _plain(name: str) -> str | None:
    """The name as it is when it needs no quotes: lower-case ASCII letters, digits and
    underscores, not beginning with a digit, and no keyword the statements' columns could clash
    with (PostgreSQL takes any word after `r.` as a column name, but not in a column list)."""
    plain = name.isascii() and name.replace("_", "a").isalnum() and name.islower() and not name[0].isdigit()
    return name if plain and name not in _RESERVED else None


# PostgreSQL's reserved key words (those that cannot be a column name unquoted).
_RESERVED_WORDS = """
    all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
    current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
    leading limit localtime localtimestamp not null offset on only or order placing primary references returning
    select session_user some symmetric system_user table then to trailing true union unique user using variadic when
    where window with
"""
_RESERVED = frozenset(_RESERVED_WORDS.split())


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
