"""The demo investigation as data: a deterministic, wholly fictional plan of what a team
documented after the liberation of a group of localities.

The plan follows the case model (standards.md section 10; HURIDOCS Events Standard Formats):
cases per group of localities, each with an external ERDR proceeding; incidents of shelling,
detention, torture, killing, looting, destruction, disappearance, filtration and deportation,
each with its acts (who did what to whom), the persons involved in their roles (victims,
witnesses, relatives, suspects known by call sign) and the units alleged to be responsible;
interviews with a scanned statement each, in Ukrainian, Russian or English through an
interpreter; photos and videos taken near the incident places (the evidence files); sources and
claims graded on the Admiralty scales; verification records (Berkeley Protocol ch. VI); legal
qualifications with their elements (ICC Elements of Crimes); unit presences.

Nothing here touches a database or a file: :func:`plan` returns dataclasses that
:mod:`svidok.demo.build` records through the services. Every value comes from random number
generators seeded with the size name, so the same size always gives the same plan, ids
included. Coordinates are drawn inside a box in eastern Ukraine; every name is generated
(:mod:`svidok.demo.names`, :mod:`svidok.demo.people`); any resemblance to real people or
places is accidental.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from svidok.demo import texts
from svidok.demo.names import CALL_SIGNS, SITE_KINDS, STREETS, code_name, locality_names
from svidok.demo.people import PersonName, misspell, person_name

__all__ = ["BOX", "SIZES", "GENERATOR", "Plan", "Size", "plan"]

#: Name and version of this generator; a new version may produce a different investigation.
GENERATOR = "svidok-demo/1"
#: Latitude and longitude bounds (WGS 84) of the area the fictional localities lie in.
BOX = (48.90, 49.90, 36.60, 38.20)
KYIV_SUMMER = timezone(timedelta(hours=3))


@dataclass(frozen=True)
class Size:
    """How big a demo is. ``persons`` is the exact number of person records; ``interviews``
    each bring a scanned statement, so evidence items = photos + videos + interviews."""

    name: str
    localities: int
    cases: int
    incidents: int
    persons: int
    photos: int
    videos: int
    interviews: int
    #: Share of the other persons (beyond interviewees and persons named in statements) whose
    #: identity also goes into the vault.
    identified_share: float
    #: Share of photos that get verification records.
    verified_share: float
    qualifications_per_case: int

    @property
    def evidence(self) -> int:
        return self.photos + self.videos + self.interviews


SIZES: dict[str, Size] = {
    "small": Size("small", localities=3, cases=2, incidents=24, persons=110, photos=16, videos=2, interviews=8,
                  identified_share=1.0, verified_share=0.5, qualifications_per_case=2),
    "large": Size("large", localities=60, cases=10, incidents=10_000, persons=50_000, photos=1_480, videos=20, interviews=500,
                  identified_share=0.0, verified_share=0.2, qualifications_per_case=20),
}  # fmt: skip


# -- the plan's records -------------------------------------------------------------------------


@dataclass(slots=True)
class Place:
    id: str
    name_uk: str
    name_ru: str
    name_en: str
    name_en_ru: str | None
    place_type: str
    lat: float
    lon: float
    precision: str
    uncertainty_m: int
    parent_id: str | None
    at_uk: str
    at_ru: str
    at_en: str
    locality: int  # index of the locality it lies in


@dataclass(slots=True)
class Unit:
    id: str
    name_uk: str
    name_ru: str
    name_en: str
    unit_type: str
    parent_id: str | None
    code_name: str  # as witnesses say it


@dataclass(slots=True)
class Locality:
    index: int
    place: Place
    case_ref: str
    occupied: date
    liberated: date
    documented: date  # the day the team documented it after liberation
    sites: list[Place] = field(default_factory=list)


@dataclass(slots=True)
class Case:
    ref: str
    title: str
    case_type: str
    lead_team: str
    period: str
    summary: str
    localities: list[int]
    units: list[str]
    proceeding_id: str
    erdr: str
    registered: str
    proceeding_link: str


@dataclass(slots=True)
class Person:
    id: str
    code: str
    sex: str
    age_min: int | None
    age_max: int | None
    status: str
    name: PersonName
    birth_year: int
    locality: int
    identified: bool = False
    call_sign: str | None = None
    call_sign_name_id: str | None = None


@dataclass(slots=True)
class Role:
    id: str
    person_id: str
    role: str
    context: str
    attrs: dict[str, Any]


@dataclass(slots=True)
class UnitLink:
    id: str
    unit_id: str
    involvement: str
    certainty: str


@dataclass(slots=True)
class Act:
    id: str
    act_type: str
    date: str
    place_id: str
    methods: list[str]
    weapons: list[str]
    harms: list[str]
    victims: list[Role] = field(default_factory=list)
    suspects: list[Role] = field(default_factory=list)
    units: list[UnitLink] = field(default_factory=list)


@dataclass(slots=True)
class Incident:
    id: str
    case_ref: str
    incident_type: str
    title: str
    day: date
    date: str
    exact: bool
    place: Place
    target_type: str | None
    weapons: list[str]
    verification_status: str
    case_link: str
    acts: list[Act] = field(default_factory=list)
    witnesses: list[Role] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    extra_place: tuple[str, str] | None = None  # (link id, place id)
    relation: tuple[str, str, str] | None = None  # (link id, earlier incident id, relation)
    proceeding_link: str | None = None
    description: str = ""


@dataclass(slots=True)
class EvidenceFile:
    """A source file to generate and ingest, and what it will be linked to."""

    path: str  # relative to the sources folder; its first parts are the ingest group
    kind: str  # photo, video, statement
    group: tuple[str, str, str, str]  # (case, locality, collector, device): one ingest each
    lat: float | None
    lon: float | None
    when: datetime
    caption: str
    seed: str
    lines: tuple[str, ...] = ()
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (link id, record ref, role)
    verifications: list[dict[str, Any]] = field(default_factory=list)  # with "id"


@dataclass(slots=True)
class Interview:
    id: str
    interviewee: Person
    incident: Incident
    date: str
    place_id: str
    mode: str
    languages: list[str]
    interviewers: list[str]
    interpreter: str | None
    consent_ref: str
    prior: list[dict[str, str]]
    narrative: texts.Statement
    team_roles: list[Role]
    statement_file: EvidenceFile
    source_id: str
    claim_id: str
    claim: dict[str, Any]
    grants: list[dict[str, Any]]


@dataclass(slots=True)
class Plan:
    """Everything the demo records, in the order it is recorded."""

    size: Size
    seed: str
    localities: list[Locality]
    units: list[Unit]
    cases: list[Case]
    team: list[Person]
    incidents: list[Incident]
    persons: list[Person]
    interviews: list[Interview]
    files: list[EvidenceFile]
    sources: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    claim_links: list[dict[str, Any]]
    presences: list[dict[str, Any]]
    qualifications: list[dict[str, Any]]

    @property
    def places(self) -> list[Place]:
        out = []
        for loc in self.localities:
            out.append(loc.place)
            out.extend(loc.sites)
        return out

    def counts(self) -> dict[str, int]:
        """What the plan records, by record kind (the build must reach exactly these)."""
        roles = sum(len(i.witnesses) + sum(len(a.victims) + len(a.suspects) for a in i.acts) for i in self.incidents)
        roles += sum(len(iv.team_roles) for iv in self.interviews)
        return {
            "case": len(self.cases),
            "proceeding": len(self.cases),
            "incident": len(self.incidents),
            "act": sum(len(i.acts) for i in self.incidents),
            "place": len(self.places),
            "person": len(self.team) + len(self.persons),
            "person_role": roles,
            "interview": len(self.interviews),
            "source": len(self.sources) + len(self.interviews),
            "claim": len(self.claims) + len(self.interviews),
            "verification": sum(len(f.verifications) for f in self.files),
            "qualification": len(self.qualifications),
            "unit": len(self.units),
            "unit_presence": len(self.presences),
        }


class _Ids:
    """Deterministic record ids: ``<PREFIX>-DEMO-<n>``, counted per prefix."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}-DEMO-{self.counts[prefix]:06d}"


class _Codes:
    """Pseudonym codes per prefix (``W-00001``), in the order persons are first recorded."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}-{self.counts[prefix]:05d}"


# -- incident types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Type:
    weight: float
    act_types: tuple[str, ...]
    sites: tuple[str, ...]  # site kinds where it happens
    victims: tuple[int, int]
    witnesses: tuple[int, int]
    suspects: tuple[int, int]
    harms: tuple[str, ...]
    methods: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    target: str | None = None
    count: str | None = None
    victim_status: str = "alive"
    case_type: str = "other"


_TYPES: dict[str, _Type] = {
    "shelling": _Type(0.27, ("indiscriminate_attack", "attack_on_civilians"), ("houses", "clinic", "shop"), (1, 8), (1, 2), (0, 0),
                      ("physical_injury", "death", "property_damage"), weapons=("artillery", "mlrs", "mortar", "cluster_munition"),
                      target="civilian_object", count="injured", case_type="attack_on_civilians"),
    "detention": _Type(0.18, ("arbitrary_detention",), ("school_basement", "police_station", "boiler_house"), (1, 7), (0, 1), (0, 2),
                       ("loss_of_liberty", "psychological_harm"), methods=("restraint", "isolation"), target="civilian_population",
                       count="detained", case_type="unlawful_detention"),
    "torture": _Type(0.09, ("torture",), ("school_basement", "police_station", "boiler_house"), (1, 3), (0, 1), (1, 2),
                     ("physical_injury", "psychological_harm"), methods=("beating", "electric_shock", "mock_execution", "stress_positions", "threats"),
                     case_type="torture"),
    "killing": _Type(0.11, ("killing", "execution_without_trial"), ("tree_belt", "houses", "checkpoint"), (1, 3), (1, 2), (0, 1),
                     ("death",), weapons=("small_arms",), count="killed", victim_status="deceased", case_type="unlawful_killing"),
    "looting": _Type(0.17, ("looting",), ("houses", "shop", "farm_yard"), (1, 4), (0, 1), (0, 1), ("property_loss",), case_type="pillage"),
    "destruction": _Type(0.06, ("destruction_of_property",), ("houses", "farm_yard", "clinic"), (1, 3), (0, 1), (0, 0),
                         ("property_damage",), weapons=("incendiary",), target="civilian_object", count="buildings_destroyed"),
    "disappearance": _Type(0.06, ("enforced_disappearance",), ("checkpoint", "houses"), (1, 2), (1, 2), (0, 1),
                           ("disappearance",), count="missing", victim_status="missing", case_type="enforced_disappearance"),
    "filtration": _Type(0.03, ("filtration",), ("checkpoint", "police_station"), (2, 6), (0, 1), (0, 1), ("loss_of_liberty",), count="detained"),
    "deportation": _Type(0.03, ("deportation",), ("checkpoint",), (2, 6), (0, 1), (0, 0), ("displacement",), count="deported", case_type="deportation"),
}  # fmt: skip

#: The first incidents of every plan: the kinds the liberated-town cases are known for.
_FIRST = ("shelling", "detention", "torture", "killing", "looting")
#: Legal hypotheses per incident type: (framework, article) (vocabularies ``rome_statute``, ``ua_cc``).
_ARTICLES = {
    "killing": (("rome_statute", "8(2)(a)(i)"), ("ua_cc", "438-2")),
    "torture": (("rome_statute", "8(2)(a)(ii)"), ("ua_cc", "438-1")),
    "detention": (("rome_statute", "8(2)(a)(vii)"), ("ua_cc", "438-1")),
    "shelling": (("rome_statute", "8(2)(b)(i)"), ("ua_cc", "438-1")),
    "looting": (("rome_statute", "8(2)(b)(xvi)"), ("ua_cc", "438-1")),
}
_GRANTS_BASE: list[dict[str, Any]] = [{"action": "store"}, {"action": "share_anonymised", "recipients": ["national_prosecutor", "icc"], "purposes": ["investigation", "prosecution"]}]


def _offset(rng: random.Random, lat: float, lon: float, lo_m: float, hi_m: float) -> tuple[float, float]:
    """A point ``lo_m``-``hi_m`` metres from (lat, lon) in a random direction."""
    d = rng.uniform(lo_m, hi_m)
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = d * math.cos(bearing) / 111_320
    dlon = d * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _edtf(rng: random.Random, day: date) -> tuple[str, bool]:
    """How precisely the date is known: exact, uncertain, month only or an interval."""
    r = rng.random()
    if r < 0.55:
        return day.isoformat(), True
    if r < 0.75:
        return day.isoformat() + "?", True
    if r < 0.9:
        return day.strftime("%Y-%m"), False
    return f"{day.isoformat()}/{(day + timedelta(days=rng.randrange(2, 10))).isoformat()}", True


class _Builder:
    """Draws the plan; one instance per call of :func:`plan`."""

    def __init__(self, size: Size, seed: str) -> None:
        self.size = size
        self.seed = seed
        self.ids = _Ids()
        self.codes = _Codes()
        self.persons: list[Person] = []
        self.team_size = 0
        self.by_locality_witness: dict[int, list[Person]] = {}

    def rng(self, part: str) -> random.Random:
        """An independent generator per part, so that one part's draws do not shift another's."""
        return random.Random(f"{self.seed}/{part}")

    # -- places, units, cases -------------------------------------------------------------

    def localities(self) -> list[Locality]:
        rng = self.rng("localities")
        lat0, lat1, lon0, lon1 = BOX
        names = locality_names(self.size.localities, self.seed)
        points: list[tuple[float, float]] = []
        while len(points) < len(names):
            p = (round(rng.uniform(lat0 + 0.05, lat1 - 0.05), 6), round(rng.uniform(lon0 + 0.05, lon1 - 0.05), 6))
            if all(abs(p[0] - q[0]) + abs(p[1] - q[1]) > 0.04 for q in points):
                points.append(p)
        per_case = math.ceil(len(names) / self.size.cases)
        out = []
        for i, (n, (lat, lon)) in enumerate(zip(names, points)):
            pid = self.ids("LOC")
            place = Place(pid, n.uk, n.ru, n.en, n.en_ru, "settlement", lat, lon, "settlement", 2500, None,
                          f"у селі {n.uk}", f"в селе {n.ru}", f"in the village of {n.en}", i)  # fmt: skip
            occupied = date(2022, 2, 27) + timedelta(days=rng.randrange(0, 20))
            liberated = date(2022, 9, 8) + timedelta(days=rng.randrange(0, 30))
            documented = liberated + timedelta(days=rng.randrange(3, 40))
            case_ref = f"DEMO-2022-{i // per_case + 1:02d}"
            loc = Locality(i, place, case_ref, occupied, liberated, documented)
            for kind in SITE_KINDS:
                street = rng.choice(STREETS)
                fill = {"n": rng.randrange(1, 4), "street_uk": street[0], "street_ru": street[1], "street_en": street[2]}
                slat, slon = _offset(rng, lat, lon, 150, 1500)
                loc.sites.append(
                    Place(self.ids("LOC"), kind.uk.format(**fill), kind.ru.format(**fill), kind.en.format(**fill), None, kind.place_type,
                          slat, slon, kind.precision, 50 if kind.precision == "building" else 250, pid,
                          kind.at_uk.format(**fill), kind.at_ru.format(**fill), kind.at_en.format(**fill), i)
                )  # fmt: skip
            out.append(loc)
        return out

    def units_and_cases(self, localities: list[Locality]) -> tuple[list[Unit], list[Case]]:
        rng = self.rng("units")
        units: list[Unit] = []
        top_uk, _, top_en = code_name(rng)
        top = Unit(self.ids("UNIT"), f"Угруповання «{top_uk}»", f"Группировка «{top_uk}»", f"Force grouping “{top_en}”", "armed_forces", None, top_uk)
        units.append(top)
        cases: list[Case] = []
        refs = sorted({loc.case_ref for loc in localities})
        for ref in refs:
            locs = [loc for loc in localities if loc.case_ref == ref]
            case_units = []
            for kind, uk_t, ru_t, en_t in (("armed_forces", "Загін «{}»", "Отряд «{}»", "Detachment “{}”"),
                                           ("national_guard", "Зведений загін «{}»", "Сводный отряд «{}»", "Combined detachment “{}”")):  # fmt: skip
                cn_uk, cn_ru, cn_en = code_name(rng)
                u = Unit(self.ids("UNIT"), uk_t.format(cn_uk), ru_t.format(cn_ru), en_t.format(cn_en), kind, top.id, cn_uk)
                units.append(u)
                case_units.append(u.id)
            first = locs[0].place
            adm = Unit(self.ids("UNIT"), f"Окупаційна адміністрація: {first.name_uk}", f"Военно-гражданская администрация: {first.name_ru}",
                       f"Occupation administration of {first.name_en}", "occupation_administration", None, first.name_uk)  # fmt: skip
            units.append(adm)
            case_units.append(adm.id)
            period = f"{min(loc.occupied for loc in locs).isoformat()}/{max(loc.liberated for loc in locs).isoformat()}"
            number = f"99999{2022}{rng.randrange(10**7, 10**8)}"
            prc = self.ids("PRC")
            cases.append(Case(
                ref, f"Злочини в окупованих селах: {', '.join(loc.place.name_uk for loc in locs[:3])}{' та інші' if len(locs) > 3 else ''} (демо)",
                "other", f"Мобільна група №{len(cases) + 1} (демо)", period,
                "Fictional demo case generated by svidok demo: incidents documented after the liberation of the localities of this case.",
                [loc.index for loc in locs], case_units, prc, number, (max(loc.liberated for loc in locs) + timedelta(days=2)).isoformat(),
                self.ids("LNK"),
            ))  # fmt: skip
        return units, cases

    # -- persons ---------------------------------------------------------------------------

    def person(self, rng: random.Random, prefix: str, locality: int, *, status: str = "alive", sex: str | None = None,
               age: tuple[int, int] = (18, 85)) -> Person:  # fmt: skip
        name = person_name(rng, sex)
        a = rng.randrange(age[0], age[1])
        exact = rng.random() < 0.5
        p = Person(self.ids("PER"), self.codes(prefix), name.sex, a if exact else a - a % 10, a if exact else a - a % 10 + 9,
                   status, name, 2022 - a, locality)  # fmt: skip
        if status == "deceased" and rng.random() < 0.3:
            p.age_min, p.age_max = None, None  # age not yet established
        self.persons.append(p)
        return p

    def role(self, person: Person, role: str, context: str, **attrs: Any) -> Role:
        return Role(self.ids("ROLE"), person.id, role, context, {k: v for k, v in attrs.items() if v is not None})

    # -- incidents -------------------------------------------------------------------------

    def incidents(self, localities: list[Locality], units: list[Unit], cases: list[Case]) -> list[Incident]:
        rng = self.rng("incidents")
        types = list(_TYPES)
        weights = [_TYPES[t].weight for t in types]
        unit_of = {u.id: u for u in units}
        case_of = {c.ref: c for c in cases}
        loc_weights = [rng.uniform(0.5, 2.0) for _ in localities]
        incidents: list[Incident] = []
        recent: dict[int, list[Incident]] = {}
        for n in range(self.size.incidents):
            loc = localities[rng.choices(range(len(localities)), loc_weights)[0]]
            kind = rng.choices(types, weights)[0]
            if n < len(_FIRST):
                kind = _FIRST[n]  # even the smallest demo shows each kind the issue names
            spec = _TYPES[kind]
            previous = [i for i in recent.get(loc.index, []) if i.incident_type in ("detention", "torture")]
            chain = None
            if kind in ("torture", "killing") and previous and rng.random() < 0.6:
                chain = previous[-1]
            site = rng.choice([s for s, k in zip(loc.sites, SITE_KINDS) if k.key in spec.sites])
            span = (loc.liberated - loc.occupied).days
            day = chain.day + timedelta(days=rng.randrange(1, 6)) if chain else loc.occupied + timedelta(days=rng.randrange(0, span))
            if day >= loc.liberated:
                day = loc.liberated - timedelta(days=1)
            edtf, exact = _edtf(rng, day)
            case = case_of[loc.case_ref]
            inc = Incident(
                self.ids("INC"), loc.case_ref, kind, texts.incident_title(kind, loc.place.name_uk, loc.place.name_en, day), day, edtf, exact,
                site, spec.target, [rng.choice(spec.weapons)] if spec.weapons else [],
                rng.choices(("unverified", "in_review", "verified"), (5, 2, 3))[0], self.ids("LNK"),
            )  # fmt: skip
            armed = [u for u in case.units if unit_of[u].unit_type != "occupation_administration"]
            unit_id = rng.choice(armed)
            act_type = rng.choice(spec.act_types)
            act = Act(self.ids("ACT"), act_type, edtf, site.id, sorted(rng.sample(spec.methods, min(len(spec.methods), rng.randrange(1, 3)))) if spec.methods else [],
                      list(inc.weapons), [spec.harms[0]] if kind != "shelling" else sorted(set(rng.sample(spec.harms, 2))))  # fmt: skip
            inc.acts.append(act)
            # Victims: from the chain (the same detainees), or new persons of this locality.
            n_victims = rng.randrange(spec.victims[0], spec.victims[1] + 1)
            chained = [r for a in chain.acts for r in a.victims][:n_victims] if chain else []
            for r in chained:
                p = self._person_by_id(r.person_id)
                if kind == "killing":
                    p.status = "deceased"
                act.victims.append(self.role(p, "victim", f"act:{act.id}", subtype="direct", harms=list(act.harms), combatant_status="civilian"))
            for _ in range(n_victims - len(chained)):
                p = self.person(rng, "V", loc.index, status=spec.victim_status)
                harms = list(act.harms)
                if kind == "shelling":
                    harms = [rng.choice(("physical_injury", "death"))]
                    if harms == ["death"]:
                        p.status = "deceased"
                act.victims.append(self.role(p, "victim", f"act:{act.id}", subtype="direct", harms=harms, combatant_status="civilian",
                                             certainty=rng.choice(("confirmed", "probable"))))  # fmt: skip
            # Suspects known by call sign, in a unit.
            for _ in range(rng.randrange(spec.suspects[0], spec.suspects[1] + 1)):
                p = self.person(rng, "S", loc.index, sex="male", age=(20, 50))
                p.status = "unknown"
                p.call_sign = rng.choice(CALL_SIGNS)
                p.call_sign_name_id = self.ids("NAME")
                act.suspects.append(self.role(p, "suspect", f"act:{act.id}", subtype="alleged", involvement=rng.choice(("direct_perpetrator", "ordered")),
                                              unit_id=unit_id, certainty="possible"))  # fmt: skip
            if kind not in ("destruction",) or rng.random() < 0.5:
                act.units.append(UnitLink(self.ids("LNK"), unit_id, rng.choice(("direct_perpetrator", "commander", "present")), rng.choice(("probable", "possible"))))
            # Witnesses: sometimes someone who already spoke about another incident here.
            pool = self.by_locality_witness.setdefault(loc.index, [])
            for _ in range(rng.randrange(spec.witnesses[0], spec.witnesses[1] + 1)):
                if pool and rng.random() < 0.15:
                    p = rng.choice(pool)
                    if any(w.person_id == p.id for w in inc.witnesses):
                        continue
                    role_name = "witness"
                elif kind in ("killing", "disappearance") and rng.random() < 0.6:
                    p = self.person(rng, "R", loc.index)
                    role_name = "relative"
                else:
                    p = self.person(rng, "W", loc.index)
                    pool.append(p)
                    role_name = "witness"
                subtype = rng.choice(("spouse", "child", "sibling", "parent")) if role_name == "relative" else rng.choice(("eyewitness", "eyewitness", "hearsay"))
                inc.witnesses.append(self.role(p, role_name, f"incident:{inc.id}", subtype=subtype))
            if spec.count:
                n = len(act.victims) if spec.count != "buildings_destroyed" else rng.randrange(1, 6)
                if kind == "shelling":
                    killed = sum(1 for r in act.victims if r.attrs.get("harms") == ["death"])
                    inc.counts = [{"what": "killed", "status": "civilian", "min": killed, "max": killed + rng.randrange(0, 2)},
                                  {"what": "injured", "status": "civilian", "min": n - killed, "max": n - killed + rng.randrange(0, 4)}]  # fmt: skip
                else:
                    inc.counts = [{"what": spec.count, "status": "civilian" if spec.count != "buildings_destroyed" else "all", "min": n, "max": n + rng.randrange(0, 3)}]
            if chain is not None:
                inc.relation = (self.ids("LNK"), chain.id, "followed_by")
            if kind == "killing" and rng.random() < 0.4:
                other = rng.choice([s for s in loc.sites if s.id != site.id])
                inc.extra_place = (self.ids("LNK"), other.id)
            inc.description = f"Fictional demo incident ({kind}) at {site.name_en}, {loc.place.name_en}."
            incidents.append(inc)
            recent.setdefault(loc.index, []).append(inc)
            if len(recent[loc.index]) > 6:
                recent[loc.index].pop(0)
        return incidents

    def ensure_variety(self, incidents: list[Incident], localities: list[Locality]) -> None:
        """Make sure even a small plan has a chain of events and an incident in two places."""
        for strict in (True, False):
            if any(i.relation for i in incidents):
                break
            for n, later in enumerate(incidents):
                # The earlier incident must also come first in the plan: it is recorded first.
                earlier = next((i for i in incidents[:n] if i.place.locality == later.place.locality and i.day < later.day and i.relation is None
                                and (not strict or (i.incident_type == "detention" and later.incident_type in ("torture", "killing")))), None)  # fmt: skip
                if earlier is not None:
                    later.relation = (self.ids("LNK"), earlier.id, "followed_by")
                    break
        if not any(i.extra_place for i in incidents):
            inc = next((i for i in incidents if i.incident_type in ("killing", "disappearance", "detention")), incidents[0])
            other = next(s for s in localities[inc.place.locality].sites if s.id != inc.place.id)
            inc.extra_place = (self.ids("LNK"), other.id)

    def _person_by_id(self, pid: str) -> Person:
        # Persons are appended in id order: PER-DEMO-<n> is at n - 1 (team persons come first).
        p = self.persons[int(pid.rsplit("-", 1)[1]) - 1 - self.team_size]
        assert p.id == pid
        return p

    def balance_persons(self, incidents: list[Incident], localities: list[Locality]) -> None:
        """Add or remove new victims until the plan holds exactly ``size.persons`` persons."""
        rng = self.rng("balance")
        target = self.size.persons - self.team_size
        growable = [i for i in incidents if i.incident_type in ("shelling", "detention", "looting", "filtration", "deportation") and i.relation is None]
        while len(self.persons) < target:
            inc = rng.choice(growable)
            act = inc.acts[0]
            p = self.person(rng, "V", inc.place.locality, status=_TYPES[inc.incident_type].victim_status)
            harms = ["physical_injury"] if inc.incident_type == "shelling" else list(act.harms)
            act.victims.append(self.role(p, "victim", f"act:{act.id}", subtype="direct", harms=harms, combatant_status="civilian", certainty="probable"))
            for c in inc.counts:
                if c["what"] in ("injured", "detained", "deported"):
                    c["min"] += 1
                    c["max"] += 1
                    break
        if len(self.persons) > target:
            raise ValueError(f"the {self.size.name} plan drew {len(self.persons)} persons for {target} places; lower the victims per incident")

    # -- team, interviews, evidence --------------------------------------------------------

    def team(self) -> list[Person]:
        rng = self.rng("team")
        out = []
        for _ in range(max(2, self.size.cases)):
            out.append(self.person(rng, "IV", 0, age=(25, 60)))
        for _ in range(max(1, self.size.cases // 3)):
            out.append(self.person(rng, "IP", 0, age=(25, 60)))
        self.persons.clear()  # the team is kept apart from the persons of the incidents
        return out

    def interviews(self, incidents: list[Incident], localities: list[Locality], team: list[Person], units: list[Unit]) -> list[Interview]:
        rng = self.rng("interviews")
        unit_of = {u.id: u for u in units}
        interviewers = [p for p in team if p.code.startswith("IV")]
        interpreters = [p for p in team if p.code.startswith("IP")]
        candidates = [i for i in incidents if i.witnesses]
        rng.shuffle(candidates)
        out: list[Interview] = []
        seen: set[str] = set()
        for inc in candidates:
            if len(out) == self.size.interviews:
                break
            loc = localities[inc.place.locality]
            speakers = [w for w in inc.witnesses if w.person_id not in seen]
            if not speakers:
                continue
            role = speakers[0]
            seen.add(role.person_id)
            speaker = self._person_by_id(role.person_id)
            speaker.identified = True
            lang = rng.choices(texts.LANGS, (55, 30, 15))[0]
            iid = self.ids("INT")
            victims = [self._person_by_id(r.person_id) for a in inc.acts for r in a.victims][:4]
            names = []
            for v in victims:
                v.identified = True
                spelt = v.name.in_language(lang)
                names.append(misspell(rng, spelt) if rng.random() < 0.3 else spelt)
            suspect = next((self._person_by_id(r.person_id) for a in inc.acts for r in a.suspects), None)
            unit = next((unit_of[u.unit_id] for a in inc.acts for u in a.units), None)
            village = {"uk": loc.place.name_uk, "ru": loc.place.name_ru, "en": loc.place.name_en}[lang]
            if lang == "ru" and rng.random() < 0.3:
                village = misspell(rng, village)
            at = {"uk": inc.place.at_uk, "ru": inc.place.at_ru, "en": inc.place.at_en}[lang]
            prior = rng.random() < 0.4
            narrative = texts.statement(
                rng, lang=lang, speaker_sex=speaker.sex, incident_type=inc.incident_type, day=inc.day, exact_day=inc.exact,
                village=village, at=at, names=names, call_sign=suspect.call_sign if suspect else None,
                unit=unit.code_name if unit and unit.unit_type != "occupation_administration" else None, prior=prior,
            )  # fmt: skip
            day = loc.documented + timedelta(days=rng.randrange(0, 20))
            ivs = sorted(rng.sample(interviewers, 1 if rng.random() < 0.7 else 2), key=lambda p: p.id)
            interp = rng.choice(interpreters) if lang == "en" else None
            languages = [rng.choice(("uk", "ru")), "en"] if lang == "en" else [lang]
            team_roles = [self.role(p, "interviewer", f"interview:{iid}") for p in ivs]
            if interp is not None:
                team_roles.append(self.role(interp, "interpreter", f"interview:{iid}"))
            code = speaker.code
            header = {"uk": "ПРОТОКОЛ ОПИТУВАННЯ (демонстраційний, вигаданий)", "ru": "ПРОТОКОЛ ОПРОСА (демонстрационный, вымышленный)",
                      "en": "RECORD OF INTERVIEW (demo, fictional)"}[lang]  # fmt: skip
            full = {"uk": speaker.name.uk_full, "ru": speaker.name.ru_full, "en": speaker.name.en}[lang]
            lines = (header, f"{day.isoformat()}  {iid}  {code}", full, "", *_wrap(narrative.text, 90), "", "_______________ (signature)")
            when = datetime.combine(day, time(rng.randrange(9, 18), rng.randrange(0, 60)), KYIV_SUMMER)
            sfile = EvidenceFile(
                f"{inc.case_ref}/{loc.place.name_en}/statements/statement {code} {day.isoformat()}.pdf", "statement",
                (inc.case_ref, loc.place.name_en, "Mobile team (demo)", "flatbed scanner (demo)"), None, None, when,
                f"statement of {code}", f"{self.seed}/statement/{iid}", lines,
            )  # fmt: skip
            sfile.links.append((self.ids("LNK"), f"interview:{iid}", "statement"))
            event_sentence = narrative.sentences[1]
            claim = {
                "statement": f"{code} states that a {inc.incident_type} incident took place at {inc.place.name_en}, {loc.place.name_en}, on {inc.date}.",
                "subject": f"incident:{inc.id}", "credibility": rng.choice(("2", "3")), "date": inc.date, "place_id": inc.place.id,
                "quote": event_sentence, "quote_lang": lang, "origin": "testimony",
            }  # fmt: skip
            grants = [dict(g) for g in _GRANTS_BASE]
            if rng.random() < 0.6:
                grants.append({"action": "share_identity", "recipients": ["national_prosecutor"], "purposes": ["prosecution"]})
            if rng.random() < 0.2:
                grants.append({"action": "use_image", "recipients": ["national_prosecutor", "icc"], "purposes": ["prosecution"]})
            prior_list = [{"to": "National Police", "date": (loc.liberated + timedelta(days=rng.randrange(1, 10))).isoformat()}] if prior else []
            out.append(Interview(
                iid, speaker, inc, day.isoformat(), loc.place.id, rng.choice(("in_person", "in_person", "remote")), languages,
                [p.id for p in ivs], interp.id if interp else None, f"FORM-DEMO-{len(out) + 1:05d}", prior_list, narrative,
                team_roles, sfile, self.ids("SRC"), self.ids("CLM"), claim, grants,
            ))  # fmt: skip
        return out

    def photos_and_videos(self, incidents: list[Incident], localities: list[Locality]) -> list[EvidenceFile]:
        rng = self.rng("photos")
        visual = [i for i in incidents if i.incident_type in ("shelling", "killing", "destruction", "detention", "looting", "torture")]
        files: list[EvidenceFile] = []
        numbers: Counter[tuple[str, str, str]] = Counter()
        picked = sorted(rng.sample(visual, min(len(visual), max(1, self.size.photos // 2))), key=lambda i: i.id)
        k = 0
        while len(files) < self.size.photos + self.size.videos:
            inc = picked[k % len(picked)]
            k += 1
            loc = localities[inc.place.locality]
            video = len(files) >= self.size.photos
            resident = video or (inc.incident_type in ("shelling", "destruction") and rng.random() < 0.3)
            if resident:
                day = min(inc.day + timedelta(days=rng.randrange(0, 3)), loc.liberated - timedelta(days=1))
                collector, device = "Resident, handed over to the mobile team (demo)", "DemoPhone A52 (demo)"
            else:
                day = loc.documented
                collector, device = "Mobile team (demo)", "DemoCam field kit (demo)"
            when = datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(0, 60), rng.randrange(0, 60)), KYIV_SUMMER)
            lat, lon = _offset(rng, inc.place.lat, inc.place.lon, 5, 120)
            group = (inc.case_ref, loc.place.name_en, collector, device)
            numbers[group[:3]] += 1
            n = numbers[group[:3]]
            who = "resident" if resident else "team"
            name = f"VID_{n:04d}.mp4" if video else f"IMG_{n:04d}.jpg"
            f = EvidenceFile(f"{inc.case_ref}/{loc.place.name_en}/{who}/{name}", "video" if video else "photo", group,
                             lat, lon, when, f"demo {inc.incident_type} {inc.place.name_en}", f"{self.seed}/{'video' if video else 'photo'}/{len(files)}")  # fmt: skip
            role = "depicts_damage" if inc.incident_type in ("shelling", "destruction", "looting") else "depicts_scene"
            f.links.append((self.ids("LNK"), f"incident:{inc.id}", role))
            if not video and rng.random() < self.size.verified_share:
                f.verifications.append({"id": self.ids("VER"), "strand": "technical", "technique": "metadata_analysis", "result": "confirmed",
                                        "detail": "EXIF time, GPS and device read from the stored copy; consistent with the acquisition record.",
                                        "tools": "svidok exif extractor", "analyst": "demo-analyst", "reviewer": "demo-investigator"})  # fmt: skip
                f.verifications.append({"id": self.ids("VER"), "strand": "content", "technique": "geolocation", "result": rng.choice(("confirmed", "probable")),
                                        "detail": f"Scene matched to {inc.place.name_en} by landmarks; EXIF position within 150 m.",
                                        "place_id": inc.place.id, "analyst": "demo-analyst", "reviewer": "demo-investigator"})  # fmt: skip
            files.append(f)
        return files

    # -- sources, claims, presences, qualifications ------------------------------------------

    def osint(self, incidents: list[Incident], localities: list[Locality], cases: list[Case], interviews: list[Interview]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng("osint")
        sources, claims, links = [], [], []
        channel_of: dict[str, str] = {}
        for c in cases:
            sid = self.ids("SRC")
            loc = localities[c.localities[0]].place
            channel_of[c.ref] = sid
            sources.append({"id": sid, "source_type": "social_media_account", "label": f"Telegram channel “{loc.name_en_ru} news” (fictional)",
                            "identifier": f"https://t.me/demo_{(loc.name_en_ru or loc.name_en).lower().replace(' ', '_')}_news",
                            "reliability": rng.choice(("D", "E", "F")), "reliability_rationale": "Anonymous local channel; history of reposts."})  # fmt: skip
        testimony = {iv.incident.id: iv for iv in interviews}
        # Channels report on about a third of the shellings, and on the first interviewed
        # incident, so that every plan has a testimony to set against a channel's claim.
        first = interviews[0].incident.id if interviews else None
        for inc in incidents:
            if inc.id != first and (inc.incident_type != "shelling" or rng.random() > 0.3):
                continue
            killed = next((c for c in inc.counts if c["what"] == "killed"), None)
            cid = self.ids("CLM")
            reported = (killed["min"] if killed else 0) + rng.choice((0, 0, 1, 2))
            what = "the shelling" if inc.incident_type == "shelling" else f"an incident ({inc.incident_type})"
            claims.append({"id": cid, "statement": f"A channel post reports {what} in {localities[inc.place.locality].place.name_en} on {inc.date} with {reported} dead.",
                           "subject": f"incident:{inc.id}", "source_id": channel_of[inc.case_ref], "credibility": rng.choice(("3", "4")),
                           "date": inc.date, "place_id": inc.place.id, "origin": "osint"})  # fmt: skip
            iv = testimony.get(inc.id)
            if iv is not None:
                relation = "supports" if not killed or reported == killed["min"] else "contradicts"
                links.append({"id": self.ids("LNK"), "claim": iv.claim_id, "other": cid, "relation": relation, "independent": True})
        return sources, claims, links

    def presences(self, cases: list[Case], localities: list[Locality], claims: list[dict[str, Any]], interviews: list[Interview]) -> list[dict[str, Any]]:
        rng = self.rng("presences")
        by_place: dict[int, str] = {}
        for iv in interviews:
            by_place.setdefault(iv.incident.place.locality, iv.claim_id)
        out = []
        for c in cases:
            for li in c.localities:
                loc = localities[li]
                for uid in c.units[:2]:
                    p: dict[str, Any] = {"id": self.ids("UP"), "unit_id": uid, "place_id": loc.place.id,
                                         "date": f"{(loc.occupied + timedelta(days=rng.randrange(0, 30))).isoformat()}/{loc.liberated.isoformat()}",
                                         "credibility": rng.choice(("2", "3"))}  # fmt: skip
                    if li in by_place:
                        p["claim_id"] = by_place[li]
                    out.append(p)
        return out

    def qualifications(self, cases: list[Case], incidents: list[Incident], interviews: list[Interview]) -> list[dict[str, Any]]:
        from svidok.records.legal import elements_for

        rng = self.rng("qualifications")
        claim_of = {iv.incident.id: iv.claim_id for iv in interviews}
        out = []
        for c in cases:
            eligible = [i for i in incidents if i.case_ref == c.ref and i.incident_type in _ARTICLES]
            eligible.sort(key=lambda i: (i.id not in claim_of, i.id))  # incidents with testimony first
            for inc in eligible[: self.size.qualifications_per_case]:
                framework, article = rng.choice(_ARTICLES[inc.incident_type])
                target = f"act:{inc.acts[0].id}" if rng.random() < 0.5 else f"incident:{inc.id}"
                claim = claim_of.get(inc.id)
                assessments = []
                for term in elements_for(article):
                    group = term.attrs.get("group")
                    if claim and group != "contextual":
                        assessments.append({"element": term.code, "status": "supported", "claims": [claim], "note": "Testimony of an eyewitness."})
                    elif group == "contextual":
                        assessments.append({"element": term.code, "status": "partly_supported", "claims": [], "note": "Occupation of the area established by open sources."})
                out.append({"id": self.ids("LQ"), "target": target, "framework": framework, "article": article,
                            "liability_mode": "25(3)(a)" if framework == "rome_statute" else None,
                            "status": rng.choice(("hypothesis", "preliminary")), "author": "demo-investigator",
                            "note": "Working hypothesis of the demo investigation.", "assessments": assessments})  # fmt: skip
        return out

    def proceeding_links(self, interviews: list[Interview]) -> None:
        for iv in interviews:
            if iv.incident.proceeding_link is None:
                iv.incident.proceeding_link = self.ids("LNK")

    def identities(self) -> None:
        rng = self.rng("identities")
        for p in self.persons:
            if not p.identified and p.call_sign is None and rng.random() < self.size.identified_share:
                p.identified = True


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def plan(size: str | Size) -> Plan:
    """The demo investigation of ``size`` (``small`` or ``large``, or a :class:`Size`)."""
    if isinstance(size, str):
        if size not in SIZES:
            from svidok.errors import InputError

            raise InputError(f"size: {size!r} is not a demo size; sizes are: {', '.join(SIZES)}", field="size")
        spec = SIZES[size]
    else:
        spec = size
    seed = f"{GENERATOR}/{spec.name}"
    b = _Builder(spec, seed)
    localities = b.localities()
    units, cases = b.units_and_cases(localities)
    team = b.team()
    b.team_size = len(team)
    for i, p in enumerate(team):
        assert p.id == f"PER-DEMO-{i + 1:06d}"
    incidents = b.incidents(localities, units, cases)
    b.balance_persons(incidents, localities)
    b.ensure_variety(incidents, localities)
    interviews = b.interviews(incidents, localities, team, units)
    b.proceeding_links(interviews)
    files = b.photos_and_videos(incidents, localities)
    files += [iv.statement_file for iv in interviews]
    sources, claims, claim_links = b.osint(incidents, localities, cases, interviews)
    presences = b.presences(cases, localities, claims, interviews)
    qualifications = b.qualifications(cases, incidents, interviews)
    b.identities()
    return Plan(spec, seed, localities, units, cases, team, incidents, b.persons, interviews, files, sources, claims,
                claim_links, presences, qualifications)  # fmt: skip
