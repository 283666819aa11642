"""Names in a spreadsheet to records: villages, grids, business types and tags (Reference), and
the registered premises a file refers to (Registry). Each is loaded once per file."""

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from grids.models import Grid, Village
from premises.importer.columns import FULL_WIDTH, TAG_SEPARATOR
from premises.importer.reading import Table
from premises.models import BusinessType, Premises, Tag

CHUNK = 500  # names or ids per IN (…) query
TAG_SEPARATORS = TAG_SEPARATOR + ",|;"


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
        village = self.villages.get(name_key(village_text))
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


class Registry:
    """The premises a file may refer to: those with its credit codes, and those with its names.
    Loaded in a few queries per file, so planning costs the same at 100 or 100,000 premises."""

    def __init__(self, table: Table) -> None:
        rows = [table.values(cells) for _number, cells in table.rows]
        codes = {row.get("credit_code", "").strip().upper() for row in rows} - {""}
        found = _premises("credit_code__in", codes)
        # A row whose credit code is registered is that premises: its name need not be looked up.
        known = {premises.credit_code for premises in found.values()}
        names = {
            row["name"].strip()
            for row in rows
            if row.get("credit_code", "").strip().upper() not in known
        }
        found.update(_premises("name__in", names - {""}))
        self.by_code = {p.credit_code: p for p in found.values() if p.credit_code}
        self.by_place = defaultdict(list)
        for premises in found.values():
            key = place_key(premises.grid.village_id, premises.name, premises.address)
            self.by_place[key].append(premises)
        self.codes_in_use = {code: premises.pk for code, premises in self.by_code.items()}
        self.tag_ids = defaultdict(set)
        ids = sorted(found)
        for start in range(0, len(ids), CHUNK):
            through = Premises.tags.through.objects.filter(
                premises_id__in=ids[start : start + CHUNK]
            )
            for premises_id, tag_id in through.values_list("premises_id", "tag_id"):
                self.tag_ids[premises_id].add(tag_id)


def _premises(lookup: str, wanted: set[str]) -> dict[int, Premises]:
    """Premises by id whose field is in `wanted`, a chunk of names or codes per query."""
    wanted, found = sorted(wanted), {}
    for start in range(0, len(wanted), CHUNK):
        query = Premises.objects.filter(**{lookup: wanted[start : start + CHUNK]})
        found.update({premises.pk: premises for premises in query.select_related("grid")})
    return found


def place_key(village_id, name: str, address: str) -> tuple:
    return (village_id, name_key(name), name_key(address))
