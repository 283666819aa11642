"""Names in a spreadsheet to records: villages, grids, business types and tags (Reference), and
the registered premises a file refers to (RegistryLoader, the resource's instance loader). Each
is loaded once per file, so checking a file takes the same few queries at 100 or 100,000
premises."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export.instance_loaders import BaseInstanceLoader

from grids.models import Grid, Village
from premises.models import BusinessType, Premises, Tag

CHUNK = 500  # names or ids per IN (…) query
TAG_SEPARATOR = "、"  # what the export writes; the import also takes "," "|" ";"
TAG_SEPARATORS = TAG_SEPARATOR + ",|;"
FULL_WIDTH = str.maketrans("（），；｜：", "(),;|:")


def name_key(text: str) -> str:
    return " ".join(text.translate(FULL_WIDTH).casefold().split())


def _short_names(name: str) -> list[str]:
    """A short name people use: 三合一/多合一(住宿…) is also 三合一/多合一, 三合一 and 多合一."""
    base = re.split(r"[(（]", name, maxsplit=1)[0].strip()
    return [base, *base.split("/")] if base else []


def _index(objects, exact, short) -> dict:
    """Name → object: exact names and codes first, then short names that are not ambiguous."""
    index, by_short = {}, defaultdict(set)
    for obj in objects:
        index.update({name_key(name): obj for name in exact(obj) if name})
        for name in short(obj):
            by_short[name_key(name)].add(obj)
    for key, found in by_short.items():
        if key and key not in index and len(found) == 1:
            index[key] = found.pop()
    return index


class Reference:
    """Villages, grids, business types and tags under every name a spreadsheet may use."""

    def __init__(self) -> None:
        villages = list(Village.objects.all())
        by_name = defaultdict(list)
        for village in villages:
            by_name[name_key(village.name)].append(village)
        # A county may have two villages of one name in different towns: then only the code works.
        self.villages = {key: found[0] for key, found in by_name.items() if len(found) == 1}
        self.villages.update({name_key(village.code): village for village in villages})
        grids = list(Grid.objects.select_related("village"))
        self.grid_codes = {name_key(grid.code): grid for grid in grids}
        self.grids = {(grid.village_id, name_key(grid.name)): grid for grid in grids}
        self.business_types = _index(
            BusinessType.objects.all(),
            lambda b: (b.code, b.name_zh, b.name_en),
            lambda b: _short_names(b.name_zh),
        )
        self.tags = _index(
            Tag.objects.all(),
            lambda t: (t.code, t.name_zh, t.name_en),
            lambda t: _short_names(t.name_zh),
        )
        self.tag_keys = sorted(self.tags, key=len, reverse=True)

    def village(self, text: str) -> Village | None:
        return self.villages.get(name_key(text))

    def grid(self, village_text: str, grid_text: str) -> tuple[Grid | None, str, str]:
        """(grid, "", ""), or (None, column key, message) saying why there is none.
        A grid is named within its village, or by its code alone."""
        if not grid_text:
            return None, "grid", _("This field is required.")
        by_code = self.grid_codes.get(name_key(grid_text))
        if by_code is not None and not village_text:
            return by_code, "", ""
        if not village_text:
            return None, "village", _("Give the village or community of this grid.")
        village = self.village(village_text)
        if village is None:
            message = _("There is no village or community “%(name)s”.")
            return None, "village", message % {"name": village_text}
        grid = self.grids.get((village.pk, name_key(grid_text)))
        if grid is None and by_code is not None and by_code.village_id == village.pk:
            grid = by_code
        if grid is None:
            message = _("Village “%(village)s” has no grid “%(grid)s”.")
            return None, "grid", message % {"village": village.name, "grid": grid_text}
        return grid, "", ""

    def tags_of(self, text: str) -> tuple[list[Tag], list[str]]:
        """Tags named in a cell, and the names that match none. Names may contain "、" or "/"
        themselves, so the longest known name is matched first instead of splitting blindly."""
        rest, found, unknown = name_key(text), [], []
        while rest := rest.lstrip(TAG_SEPARATORS + " "):
            for key in self.tag_keys:
                end = len(key)
                if rest.startswith(key) and (end == len(rest) or rest[end] in TAG_SEPARATORS):
                    found.append(self.tags[key])
                    rest = rest[end:]
                    break
            else:
                token = re.split(f"[{re.escape(TAG_SEPARATORS)}]", rest, maxsplit=1)[0]
                unknown.append(token.strip())
                rest = rest[len(token) :]
        return list(dict.fromkeys(found)), unknown


@dataclass
class Match:
    """The registered premises a row describes (None: a new one), or why it cannot be told."""

    premises: Premises | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    duplicate: bool = False  # an earlier row of the file describes the same premises


class RegistryLoader(BaseInstanceLoader):
    """The instance loader of `PremisesResource`: like django-import-export's
    `CachedInstanceLoader`, it loads every premises the file may refer to at once, but by two
    keys: the unified social credit code, else name and address in the same village.

    The resource asks `match()` rather than `get_instance()`: a row's village comes from its grid
    cell, which the resource resolves, and a row that cannot be matched says why.
    """

    def __init__(self, resource, dataset=None) -> None:
        super().__init__(resource, dataset)
        names = _column(resource, dataset, "name")
        codes = [code_of(text) for text in _column(resource, dataset, "credit_code")]
        codes = codes or [""] * len(names)  # a file without the column
        found = _premises("credit_code__in", set(codes) - {""})
        # A row whose credit code is registered is that premises: its name need not be looked up.
        known = {premises.credit_code for premises in found.values()}
        wanted = {
            name.strip() for code, name in zip(codes, names, strict=True) if code not in known
        }
        found.update(_premises("name__in", wanted - {""}))
        self.by_code = {p.credit_code: p for p in found.values() if p.credit_code}
        self.by_place = defaultdict(list)
        for premises in found.values():
            key = place_key(premises.grid.village_id, premises.name, premises.address)
            self.by_place[key].append(premises)
        self.codes_in_use = {code: premises.pk for code, premises in self.by_code.items()}
        self.tag_ids = _tag_ids(sorted(found))
        self.seen: dict[tuple, int] = {}  # what earlier rows described → their row number

    def match(self, number: int, *, code: str, place: tuple) -> Match:
        """A row with a credit code is that code's premises; a row without one is the premises
        of that name and address in that village. Two rows for one premises refuse the later."""
        key = ("code", code) if code else ("place", place)
        earlier = self.seen.get(key)
        self.seen.setdefault(key, number)
        self.seen.setdefault(("place", place), number)
        if earlier is not None:
            why = _("same credit code") if code else _("same name and address in the same village")
            message = _("Row %(row)s already describes this premises (%(why)s).")
            column = "credit_code" if code else "name"
            return Match(errors=[(column, message % {"row": earlier, "why": why})], duplicate=True)
        if code and code in self.by_code:
            return Match(self.by_code[code])
        # A registered premises with another credit code is another business at that address.
        candidates = [p for p in self.by_place.get(place, []) if not code or not p.credit_code]
        if len(candidates) > 1:
            message = _(
                "%(count)s registered premises in this village have this name and address; "
                "add the credit code to say which one."
            )
            return Match(errors=[("name", message % {"count": len(candidates)})])
        return Match(candidates[0] if candidates else None)


def code_of(text: str) -> str:
    return text.strip().upper()


def _column(resource, dataset, key: str) -> list[str]:
    header = resource.fields[key].column_name
    return list(dataset[header]) if dataset is not None and header in dataset.headers else []


def _premises(lookup: str, wanted: set[str]) -> dict[int, Premises]:
    """Premises by id whose field is in `wanted`, a chunk of names or codes per query."""
    wanted, found = sorted(wanted), {}
    for start in range(0, len(wanted), CHUNK):
        query = Premises.objects.filter(**{lookup: wanted[start : start + CHUNK]})
        found.update({premises.pk: premises for premises in query.select_related("grid")})
    return found


def _tag_ids(ids: list[int]) -> dict[int, set[int]]:
    tag_ids = defaultdict(set)
    for start in range(0, len(ids), CHUNK):
        through = Premises.tags.through.objects.filter(premises_id__in=ids[start : start + CHUNK])
        for premises_id, tag_id in through.values_list("premises_id", "tag_id"):
            tag_ids[premises_id].add(tag_id)
    return tag_ids


def place_key(village_id, name: str, address: str) -> tuple:
    return (village_id, name_key(name), name_key(address))
