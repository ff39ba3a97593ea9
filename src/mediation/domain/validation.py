"""Validation problems carry a Chinese message for the UI and an English one for the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    zh: str
    en: str = ""


class Invalid(Exception):
    """A use case refused its input; `problems` maps each form field to what is wrong with it."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("; ".join(f"{field}: {problem.en}" for field, problem in problems.items()))
        self.problems = problems

    @property
    def messages_zh(self) -> dict[str, str]:
        return {field: problem.zh for field, problem in self.problems.items()}

    @property
    def english(self) -> str:
        return "; ".join(problem.en for problem in self.problems.values())


def whole_number(value: object) -> int | None:
    """A non-negative whole number typed in ASCII digits (at most 9 of them), else None.

    `str.isdigit` alone would accept "²" or "１", which int() then rejects or misreads."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
