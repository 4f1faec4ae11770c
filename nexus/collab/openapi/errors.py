from dataclasses import dataclass, field


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with a spec, located by JSON pointer and, when known, line."""

    message: str
    pointer: str = ""
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"pointer": self.pointer, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


@dataclass
class SpecError(Exception):
    """A spec that cannot be accepted, with every problem found."""

    problems: list[SpecProblem] = field(default_factory=list)

    @classmethod
    def single(cls, message: str, pointer: str = "", line: int | None = None) -> "SpecError":
        return cls([SpecProblem(message=message, pointer=pointer, line=line)])

    def __str__(self) -> str:
        return "; ".join(str(problem) for problem in self.problems)


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(parts: list[object] | tuple[object, ...]) -> str:
    return "".join("/" + escape_pointer_token(part) for part in parts)
