"""The kinds of value a setting takes: how each is read from a link's text, checked, converted from a
control's value and written back, with plain-words notes for what it refuses.

`state.py`'s table gives every field of `State` one of these kinds; encoding, decoding and validation all
go through them. Standard library only: this runs in CPython tests and in Pyodide alike.
"""
import math
import numbers
from dataclasses import dataclass

_NAMED_PROBLEMS = 3  # a list of bad entries names this many, then counts the rest, so notes stay readable
_SHOWN_CHARS = 40


class Invalid(ValueError):
    """A value a setting cannot take. Its message completes the sentence "<label> '<value>' ..."."""


def shown(value):
    """A value as a note quotes it: at most about 40 characters, unprintable characters replaced.

    >>> shown("x" * 50)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    >>> shown((4, 2))
    "'4,2'"
    """
    if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float)) for item in value):
        value = ",".join(map(str, value))
    text = value if isinstance(value, str) else repr(value)
    text = "".join(char if char.isprintable() else "\ufffd" for char in text[:_SHOWN_CHARS + 1])
    return "'" + (text[:_SHOWN_CHARS] + "…" if len(text) > _SHOWN_CHARS else text) + "'"


def capped(problems, rest):
    """The first few problems, and one more line counting the others."""
    if len(problems) <= _NAMED_PROBLEMS:
        return problems
    return problems[:_NAMED_PROBLEMS] + [f"and {len(problems) - _NAMED_PROBLEMS:,} more {rest}"]


def real(value):
    """A finite float from link text or from a Python number (bools are not numbers here)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise Invalid("is not a number") from None
    elif not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise Invalid("is not a number")
    if not math.isfinite(value):
        raise Invalid("is not a finite number")
    return float(value)


def whole(value):
    """An int from link text ("50", "50.0", "5e1") or from a Python integer. Text goes through float,
    which is exact for every whole number a setting allows (all are below 2**53)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and real(value).is_integer():
        return int(real(value))
    raise Invalid("is not a whole number")


def plain(number):
    """A list member as people write it: 0.00001 rather than 1e-05, 3 rather than 3.0."""
    return f"{number:f}".rstrip("0").rstrip(".")


def decimal(number):
    """A custom point's coordinate, to the 3 decimals it is stored with."""
    text = f"{number:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class Kind:
    """How one setting's value is read from link text, written back, and checked when set in Python.

    `read(text)` and `convert(value)` return (value in its stored form, notes on parts dropped) or
    raise Invalid; `coerce` takes either, so a control may pass its string value as it is.
    """

    def coerce(self, value):
        return self.read(value) if isinstance(value, str) else self.convert(value)

    def describe(self, value):
        return self.write(value) or "none"


@dataclass(frozen=True)
class OneOf(Kind):
    """One name from a list."""

    options: tuple

    def read(self, text):
        if text in self.options:
            return text, []
        return self.convert(text)

    def convert(self, value):
        raise Invalid(f"is not one of {', '.join(self.options)}")

    def write(self, value):
        return value


@dataclass(frozen=True)
class OneOfOrFile(OneOf):
    """One name from a list, or a file's name ending in one of `suffixes`: a model opened from a file is known
    by its name, all that a link can carry of it.

    >>> kind = OneOfOrFile(("cnn", "mlp"), (".onnx", ".npz"))
    >>> kind.read("my net.onnx"), kind.read("mlp")
    (('my net.onnx', []), ('mlp', []))
    """

    suffixes: tuple = ()
    longest: int = 255  # a file name's longest, on the common file systems

    def read(self, text):
        if text.lower().endswith(self.suffixes) and "/" not in text and len(text) <= self.longest:
            return text, []
        return super().read(text)

    def convert(self, value):
        *others, last = self.suffixes
        kinds = f"{', '.join(others)} or {last}" if others else last
        raise Invalid(f"is not one of {', '.join(self.options)}, nor the name of a {kinds} file")


@dataclass(frozen=True)
class OneOfNumbers(Kind):
    """One number from a fixed list; "0.030" and "3e-2" both read as 0.03."""

    options: tuple

    def read(self, text):
        return self.convert(text)

    def convert(self, value):
        try:
            number = real(value)
        except Invalid:
            number = math.nan
        for option in self.options:
            if math.isclose(number, option, rel_tol=1e-9):
                return option, []
        raise Invalid(f"is not one of {', '.join(map(plain, self.options))}")

    def write(self, value):
        return plain(value)


@dataclass(frozen=True)
class WholeNumber(Kind):
    """A whole number from `low` to `high` in steps of `step`."""

    low: int
    high: int
    step: int = 1

    def read(self, text):
        return self.convert(text)

    def convert(self, value):
        try:
            number = whole(value)
        except Invalid:
            number = None
        if number is None or not self.low <= number <= self.high or (number - self.low) % self.step:
            if self.step == 1:
                raise Invalid(f"is not a whole number from {self.low:,} to {self.high:,}")
            allowed = ", ".join(map(str, range(self.low, self.high + 1, self.step)))
            raise Invalid(f"is not one of {allowed}")
        return number, []

    def write(self, value):
        return str(value)


@dataclass(frozen=True)
class Change(Kind):
    """Another setting and a value for it, written "name:value" ("lr:0.1"), or "" for none: what the race changes.
    `kinds` pairs each setting it may change with that setting's own kind, which reads the value.

    >>> kind = Change((("lr", OneOfNumbers((0.03, 0.1))),))
    >>> kind.read("lr:0.10"), kind.read("")
    (('lr:0.1', []), ('', []))
    """

    kinds: tuple

    def read(self, text):
        if text == "":
            return "", []
        name, _, value = text.partition(":")
        kinds = dict(self.kinds)
        if name not in kinds:
            raise Invalid(f"does not name a setting to change ({', '.join(kinds)}) and its value, as lr:0.1")
        try:
            value, _ = kinds[name].read(value)
        except Invalid as error:
            raise Invalid(f"gives {name} a value that {error}") from None
        return f"{name}:{kinds[name].write(value)}", []

    def convert(self, value):
        if isinstance(value, str):
            return self.read(value)
        raise Invalid("is not text")

    def write(self, value):
        return value


@dataclass(frozen=True)
class Switch(Kind):
    """On or off: true/false or 1/0 in a link."""

    options = (False, True)

    def read(self, text):
        words = {"true": True, "1": True, "false": False, "0": False}
        if text.strip().lower() in words:
            return words[text.strip().lower()], []
        raise Invalid("is not one of true, false, 1, 0")

    def convert(self, value):
        if isinstance(value, bool):
            return value, []
        raise Invalid("is not true or false")

    def write(self, value):
        return "true" if value else "false"


@dataclass(frozen=True)
class OptionalNumber(Kind):
    """Off (empty) or a number above `above` and at most `at_most`."""

    above: float
    at_most: float

    def read(self, text):
        return self.convert(None if text.strip().lower() in ("", "none", "off") else text)

    def convert(self, value):
        if value is None:
            return None, []
        try:
            number = real(value)
        except Invalid:
            number = math.nan
        if not self.above < number <= self.at_most:
            raise Invalid(f"is not a number above {plain(self.above)} and at most {plain(self.at_most)}, "
                          "or empty for off")
        return number, []

    def write(self, value):
        return "" if value is None else repr(float(value))

    def describe(self, value):
        return "off" if value is None else self.write(value)


@dataclass(frozen=True)
class LayerSizes(Kind):
    """Neurons per hidden layer, like "4,2"; empty means no hidden layer."""

    max_layers: int
    max_neurons: int

    def read(self, text):
        if not text.strip():
            return (), []
        try:
            sizes = [whole(part) for part in text.split(",")]
        except Invalid:
            raise Invalid("is not a list of layer sizes like 4,2") from None
        return self.convert(sizes)

    def convert(self, value):
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(size, numbers.Integral) and not isinstance(size, bool) for size in value):
            raise Invalid("is not a list of layer sizes like 4,2")
        if len(value) > self.max_layers:
            raise Invalid(f"lists {len(value)} layers, more than the {self.max_layers} allowed")
        for size in value:
            if not 1 <= size <= self.max_neurons:
                raise Invalid(f"has a layer of {size} neurons; a layer has 1 to {self.max_neurons}")
        return tuple(int(size) for size in value), []

    def write(self, value):
        return ",".join(map(str, value))

    def describe(self, value):
        return self.write(value) or "no hidden layers"


@dataclass(frozen=True)
class NameList(Kind):
    """Names from `options` in order, like "tanh,relu"; empty is allowed and means `empty`."""

    options: tuple
    empty: str

    def read(self, text):
        return self.convert([name.strip() for name in text.split(",")] if text.strip() else [])

    def convert(self, value):
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"is not a list of names from {', '.join(self.options)}")
        for name in value:
            if name not in self.options:
                raise Invalid(f"names {shown(name)}, which is not one of {', '.join(self.options)}")
        return tuple(value), []

    def write(self, value):
        return ",".join(value)

    def describe(self, value):
        return self.write(value) or self.empty


@dataclass(frozen=True)
class Selection(Kind):
    """At least one name from `options`, each once, like "x1,x2"; unknown names are dropped."""

    options: tuple

    def read(self, text):
        return self.convert([name.strip() for name in text.split(",") if name.strip()])

    def convert(self, value):
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"is not a list of names from {', '.join(self.options)}")
        chosen, dropped = [], []
        for name in value:
            if name not in self.options:
                dropped.append(f"{shown(name)} is not one of {', '.join(self.options)}; dropped")
            elif name in chosen:
                dropped.append(f"{shown(name)} is listed twice; dropped the second")
            else:
                chosen.append(name)
        if not chosen:
            raise Invalid(f"has none of {', '.join(self.options)}")
        return tuple(chosen), capped(dropped, "unknown names dropped")

    def write(self, value):
        return ",".join(value)


@dataclass(frozen=True)
class PointList(Kind):
    """The user's own points, "x,y,label;x,y,label", each number rounded to 3 decimals. A malformed point
    is dropped with a note naming its position; the others are kept."""

    max_points: int
    plane: float

    def read(self, text):
        entries = [(position, entry, entry.split(","))
                   for position, entry in enumerate(text.split(";"), 1) if entry.strip()]
        return self._gather(entries)

    def convert(self, value):
        if not isinstance(value, (list, tuple)):
            raise Invalid("is not a list of points (x, y, label)")
        return self._gather([(position, entry, entry if isinstance(entry, (list, tuple)) else None)
                             for position, entry in enumerate(value, 1)])

    def _gather(self, entries):
        points, problems = [], []
        for position, given, numbers_given in entries:
            try:
                points.append(self._point(numbers_given))
            except Invalid as problem:
                problems.append(f"point {position} {shown(given)} {problem}; dropped")
        problems = capped(problems, "malformed points dropped")
        if len(points) > self.max_points:
            problems.append(f"{len(points):,} points given, more than the {self.max_points:,} allowed; "
                            f"kept the first {self.max_points:,}")
            points = points[:self.max_points]
        return tuple(points), problems

    def _point(self, numbers_given):
        if numbers_given is None or len(numbers_given) != 3:
            raise Invalid("is not x,y,label")
        try:
            x, y, label = (round(real(number), 3) + 0.0 for number in numbers_given)  # + 0.0: no -0.0
        except Invalid:
            raise Invalid("is not x,y,label") from None
        if abs(x) > self.plane or abs(y) > self.plane:
            raise Invalid(f"lies off the plane; x and y go from {-self.plane:g} to {self.plane:g}")
        return x, y, label

    def write(self, value):
        return ";".join(",".join(map(decimal, point)) for point in value)
