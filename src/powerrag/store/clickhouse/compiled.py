"""The noun modules' SQLAlchemy Core statements, run on ClickHouse.

`ClickHouseSql` has the part of a SQLAlchemy `Connection` the readers use (`execute` and
`dialect.name`): a statement is compiled with PostgreSQL's compiler (its SQL is what
ClickHouse reads, `%(name)s` parameters bound by clickhouse-connect), with three rewrites
ClickHouse needs: `LIKE ... ESCAPE '!'` patterns re-escaped with backslashes (ClickHouse has
no ESCAPE clause), `x IS true` as `x = true`, `a // b` of integers as `intDiv(a, b)`
(ClickHouse's `/` is always a float division), and names unquoted where PostgreSQL quotes
reserved words. Every read runs with FINAL (client.READ_SETTINGS).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, False_, Integer, True_, bindparam
from sqlalchemy.dialects.postgresql.psycopg import PGCompiler_psycopg, PGDialect_psycopg
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression

from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.filters import LIKE_ESCAPE


def _backslash_escaped(pattern: str) -> str:
    """A LIKE pattern escaped with LIKE_ESCAPE, escaped with backslashes instead."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == LIKE_ESCAPE:
            escaped = next(chars, "")
            out.append("\\" + escaped if escaped in ("%", "_") else escaped)
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


class _Compiler(PGCompiler_psycopg):
    def _like(self, binary: BinaryExpression[Any], keyword: str, **kw: Any) -> str:
        escape = binary.modifiers.get("escape") if binary.modifiers else None
        right = binary.right
        if escape == LIKE_ESCAPE and isinstance(right, BindParameter):
            right = bindparam(None, _backslash_escaped(str(right.value)), unique=True)
        return f"{self.process(binary.left, **kw)} {keyword} {self.process(right, **kw)}"

    def visit_like_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._like(binary, "LIKE", **kw)

    def visit_not_like_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._like(binary, "NOT LIKE", **kw)

    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._like(binary, "ILIKE", **kw)

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._like(binary, "NOT ILIKE", **kw)

    def _is(self, binary: Any, sign: str, keyword: str, **kw: Any) -> str:
        right = binary.right
        if isinstance(right, (True_, False_)):
            value = "true" if isinstance(right, True_) else "false"
            return f"({self.process(binary.left, **kw)} {sign} {value})"
        return f"{self.process(binary.left, **kw)} {keyword} {self.process(right, **kw)}"

    def visit_is__binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._is(binary, "=", "IS", **kw)

    def visit_is_not_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return self._is(binary, "!=", "IS NOT", **kw)

    def visit_floordiv_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        if binary.left.type._type_affinity is binary.right.type._type_affinity is Integer:
            left, right = self.process(binary.left, **kw), self.process(binary.right, **kw)
            return f"intDiv({left}, {right})"
        return str(super().visit_floordiv_binary(binary, operator, **kw))  # type: ignore[no-untyped-call]


class _Dialect(PGDialect_psycopg):
    name = "clickhouse"
    statement_compiler = _Compiler


DIALECT = _Dialect()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=512)
def _compiled(statement: Any) -> SQLCompiler:
    compiled: SQLCompiler = statement.compile(dialect=DIALECT)
    return compiled


class Row(tuple[Any, ...]):
    """A result row by position, by name (`row.id`) and, through `_mapping`, as a dict."""

    _names: dict[str, int]

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._names[name]]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def _mapping(self) -> dict[str, Any]:
        return {name: self[i] for name, i in self._names.items()}


class Result:
    """The part of SQLAlchemy's Result the readers use."""

    def __init__(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        row_type = type("Row", (Row,), {"_names": {n: i for i, n in enumerate(names)}})
        self._rows: list[Row] = [row_type(r) for r in rows]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def all(self) -> list[Row]:
        return list(self._rows)

    def one(self) -> Row:
        if len(self._rows) != 1:
            raise ValueError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def mappings(self) -> _Mappings:
        return _Mappings([r._mapping for r in self._rows])


class _Mappings(list[dict[str, Any]]):
    def first(self) -> dict[str, Any] | None:
        return self[0] if self else None

    def all(self) -> list[dict[str, Any]]:
        return list(self)


class ClickHouseSql:
    """Runs SQLAlchemy Core selects on ClickHouse (FINAL reads)."""

    dialect = DIALECT

    def __init__(self, ch: ClickHouse) -> None:
        self.ch = ch

    def _sql(
        self, statement: Any, parameters: Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any]]:
        compiled = _compiled(statement)
        state = compiled.construct_expanded_state(dict(parameters or {}))
        values = dict(state.parameters)
        # clickhouse-connect formats only when given parameters; `%` stays doubled otherwise.
        return (state.statement if values else state.statement.replace("%%", "%")), values

    def stream(
        self, statement: Any, parameters: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The rows as dicts, fetched block by block (an export of any size)."""
        sql, values = self._sql(statement, parameters)
        names = [str(column[0]) for column in _compiled(statement)._result_columns or ()]
        with self.ch.stream(sql, values) as blocks:
            for block in blocks:
                for row in block:
                    yield dict(zip(names, row, strict=True))

    def execution_options(self, **options: Any) -> ClickHouseSql | _Streaming:
        """As SQLAlchemy's: `stream_results=True` fetches the rows block by block."""
        return _Streaming(self) if options.get("stream_results") else self

    def execute(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> Result:
        compiled = _compiled(statement)
        sql, values = self._sql(statement, parameters)
        result = self.ch.query(sql, values)
        names = [str(column[0]) for column in compiled._result_columns or ()]
        return Result(names or list(result.column_names), result.result_rows)


class _Streamed:
    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows

    def mappings(self) -> Iterator[dict[str, Any]]:
        return self._rows


class _Streaming:
    """A connection with `stream_results`: `execute(...).mappings()` yields rows as they come."""

    def __init__(self, sql: ClickHouseSql) -> None:
        self._sql = sql

    def execute(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> _Streamed:
        return _Streamed(self._sql.stream(statement, parameters))
