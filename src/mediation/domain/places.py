"""The place tree's levels and the validation of a places file (pure: rows in, tree or errors out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

LEVEL_LABELS: Final = {"district": "区", "town": "镇街", "village": "村居", "grid": "网格"}
CHILD_LEVEL: Final = {"district": "town", "town": "village", "village": "grid"}
PLACE_COLUMNS: Final = ("镇街", "村居", "网格")
REQUIRED_PLACE_COLUMNS: Final = ("镇街", "村居")
MAX_PLACE_NAME = 100


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class PlaceTree:
    """Towns → villages → grids, each level in first-seen order."""

    towns: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, town: str, village: str, grid: str) -> None:
        grids = self.towns.setdefault(town, {}).setdefault(village, [])
        if grid and grid not in grids:
            grids.append(grid)

    @property
    def counts(self) -> tuple[int, int, int]:
        villages = sum(len(v) for v in self.towns.values())
        grids = sum(len(g) for v in self.towns.values() for g in v.values())
        return len(self.towns), villages, grids


def parse_place_rows(header: list[str], rows: list[tuple[int, list[str]]]) -> tuple[PlaceTree, list[RowError]]:
    """Validate a places file already split into cells; `rows` carry their line numbers in the file."""
    errors: list[RowError] = []
    tree = PlaceTree()
    unknown = [name for name in header if name not in PLACE_COLUMNS]
    for name in unknown:
        errors.append(RowError(1, name, "unknown column"))
    for name in REQUIRED_PLACE_COLUMNS:
        if name not in header:
            errors.append(RowError(1, name, "required column is missing"))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", "a column appears twice"))
    if errors:
        return tree, errors
    index = {name: header.index(name) for name in header}
    for line, cells in rows:
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        if not any(values.values()):
            continue
        row_errors = []
        for name in PLACE_COLUMNS:
            value = values.get(name, "")
            if name in REQUIRED_PLACE_COLUMNS and not value:
                row_errors.append(RowError(line, name, "is empty"))
            elif len(value) > MAX_PLACE_NAME:
                row_errors.append(RowError(line, name, f"is longer than {MAX_PLACE_NAME} characters"))
            elif "/" in value or "、" in value:
                row_errors.append(RowError(line, name, "must not contain '/' or '、'"))
        if row_errors:
            errors.extend(row_errors)
            continue
        tree.add(values["镇街"], values["村居"], values.get("网格", ""))
    if not errors and not tree.towns:
        errors.append(RowError(2, "", "the file has no place rows"))
    return tree, errors
