# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``insert_rows``: what ``create`` does for many rows of a plain model, in one
INSERT.

Odoo's ``create`` costs about 0.1 ms a row whatever the model: one ``default_get`` per
row, every field of every row put in the cache, the INSERT's values adapted one by
one. A send of 20,000 numbers spends most of its time there. ``insert_rows`` keeps
what ``create`` checks and stores, for a model made of plain columns, and does the
rest set-based:

- the access right to create (``check_access``);
- the defaults (context, user defaults, the fields' own), asked once per set of
  given fields: the rows of one call share their user, company and time, as the
  defaults of these models read nothing else;
- the log access columns (``create_uid`` … ``write_date``), the values converted
  and validated by each field (``convert_to_column_insert``);
- one ``INSERT … SELECT FROM unnest(…)`` per column array, in the order of
  ``vals_list`` (ids ascending with it);
- stored computed fields not given marked to compute, the dependents of the new
  rows marked (``modified(create=True)``), the inverse one2many of the many2one
  given invalidated, the Python constraints (``_validate_fields``) and the
  companies (``_check_company``) checked, then the record rules on the new rows
  (``check_access``), as ``create`` ends.

What it refuses (``ValueError``): ``_inherits`` models, one2many / many2many /
translated / company-dependent / properties / json fields given or defaulted (they
are not plain columns).
"""

from odoo.tools import SQL

#: column types ``insert_rows`` writes through a PostgreSQL array
PLAIN_TYPES = frozenset(
    ("varchar", "text", "int4", "bool", "timestamp", "date", "numeric", "float8")
)


def _plain_field(field):
    return (
        field.store
        and field.column_type
        and field.column_type[0] in PLAIN_TYPES
        and not field.translate
        and not field.company_dependent
    )


def _sql_type(field):
    return SQL(field.column_type[1].split("(")[0])


def _column(model, field, rows):
    """``(True, [value of each row])``, or ``(False, value)`` when every row has
    the same: each distinct value converted once (the conversion depends on the
    value only)."""
    converted, values = {}, []
    for row in rows:
        value = row.get(field.name)
        try:
            key = (type(value), value)
            if key not in converted:
                converted[key] = field.convert_to_column_insert(value, model, row)
            values.append(converted[key])
        except TypeError:  # not hashable
            values.append(field.convert_to_column_insert(value, model, row))
    if len(converted) == 1 and len(values) == len(rows):
        return False, values[0]
    return True, values


def _complete_rows(model, vals_list):
    """``(rows, stored column names)``: each of ``vals_list`` with its defaults."""
    defaults_by_keys, rows, names = {}, [], set()
    for vals in vals_list:
        keys = frozenset(vals)
        if keys not in defaults_by_keys:
            completed = model._add_missing_default_values(dict(vals))
            defaults_by_keys[keys] = {
                name: value for name, value in completed.items() if name not in vals
            }
        row = {**defaults_by_keys[keys], **vals}
        for name in row:
            field = model._fields[name]
            if name in vals and (not field.store or name == "id"):
                raise ValueError(f"insert_rows: {model._name}.{name} is not stored")
            if not field.store:
                continue
            if not _plain_field(field):
                raise ValueError(f"insert_rows: {model._name}.{name} is not a column")
            names.add(name)
        rows.append(row)
    return rows, names


def insert_rows(model, vals_list):
    """Create the records of ``vals_list`` (``create``'s format) in one INSERT;
    return them (ids in the order of ``vals_list``). See the module's docstring."""
    if not vals_list:
        return model.browse()
    if model._inherits:
        raise ValueError(f"insert_rows: {model._name} inherits another model")
    model.check_access("create")
    rows, names = _complete_rows(model, vals_list)
    columns = {
        name: _column(model, model._fields[name], rows) for name in sorted(names)
    }
    if model._log_access:
        now, uid = model.env.cr.now(), model.env.uid
        for name, value in (
            ("create_uid", uid),
            ("create_date", now),
            ("write_uid", uid),
            ("write_date", now),
        ):
            columns.setdefault(name, (False, value))
    # a value shared by every row goes once, the others as one array per column
    varying = [name for name, (is_array, _value) in columns.items() if is_array]
    if not varying:  # one row: unnest needs an array
        varying = ["id"]
        columns["id"] = (True, [None] * len(rows))
    selected = [
        SQL.identifier(name)
        if columns[name][0]
        else SQL("%s::%s", columns[name][1], _sql_type(model._fields[name]))
        for name in columns
    ]
    model.env.cr.execute(
        SQL(
            """INSERT INTO %s (%s)
               SELECT %s FROM unnest(%s) WITH ORDINALITY AS t(%s, psms_row)
                ORDER BY psms_row
               RETURNING id""",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in columns if name != "id"),
            SQL(", ").join(
                column
                for name, column in zip(columns, selected, strict=True)
                if name != "id"
            ),
            SQL(", ").join(
                SQL("%s::%s[]", columns[name][1], _sql_type(model._fields[name]))
                for name in varying
            ),
            SQL(", ").join(map(SQL.identifier, varying)),
        )
    )
    records = model.browse(sorted(id_ for (id_,) in model.env.cr.fetchall()))
    given = set(names)
    for field in model._fields.values():
        if field.store and field.compute and field.name not in given:
            model.env.add_to_compute(field, records)
    for name in names:
        field = model._fields[name]
        if field.type in ("many2one", "many2one_reference"):
            for inverse in model.pool.field_inverses[field]:
                model.env[inverse.model_name].invalidate_model([inverse.name])
    records.modified(model._fields, create=True)
    records._validate_fields(given)
    if model._check_company_auto:
        records._check_company()
    records.check_access("create")  # the record rules, on the rows made, as create
    return records
