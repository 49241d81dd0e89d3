"""Read a rule-pack directory, validate every file and compile it, collecting every problem.

Nothing in a pack is executed: YAML is read with a safe loader and conditions are parsed by the
library's own parser. A malformed pack raises :class:`PackError` listing each problem with its file
and rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import PackError, Problem
from ..lang import ExpressionError, ExprType, check, compile_expr, fact_names, parse
from ..lang import nodes as n
from ..lang.check import BOOL, NUMBER
from ..lang.reads import values_read
from .format import (
    NAMED_ID,
    RULE_ID,
    DerivationSpec,
    FactsFile,
    FactSpec,
    IndustriesFile,
    InstallationKind,
    PackManifest,
    RegisterDocument,
    RegisterFile,
    SectorsFile,
    StandardFile,
    SynonymsFile,
)
from .industries import parse_table
from .model import (
    CompiledCiting,
    CompiledDerivation,
    CompiledExpr,
    CompiledRoute,
    CompiledRule,
    CompiledStandard,
    Pack,
)
from .numerals import label_path
from .safe_yaml import UnsafeYaml, load_yaml
from .sources import LEAD

Root = Traversable | Path
MAX_FILE_BYTES = 4 * 2**20  # the largest shipped file is 0.2 MB


def load_pack_from(root: Root) -> Pack:
    """Load and compile the pack at ``root``; raise :class:`PackError` listing every problem."""
    pack, problems = read_pack(root)
    errors = [p for p in problems if p.severity == "error"]
    if errors or pack is None:
        raise PackError(errors or problems)
    return pack


def read_pack(root: Root) -> tuple[Pack | None, list[Problem]]:
    """Load what can be loaded; return the pack and all problems.

    The pack holds every rule that compiled (None if there is no valid ``pack.yaml``); use it
    only when there is no error, as ``load_pack_from`` does.
    """
    return _Loader(root).run()


class _Loader:
    def __init__(self, root: Root) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()
        self.fact_kinds: dict[str, str | None] = {}
        self.lifted: list[CompiledDerivation] = []
        self.lineage: dict[str, tuple[str, ...]] = {}  # kind → itself and the kinds it is a case of
        self.names: set[str] = set()  # the unnumbered segments of the standard being compiled

    def problem(self, file: str, item: str | None, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(file, item, message, severity))

    # -- reading -------------------------------------------------------------------------------
    def files(self) -> list[tuple[str, Traversable | Path]]:
        if not self.root.is_dir():
            self.problem(str(self.root), None, "not a rule-pack directory")
            return []
        found: list[tuple[str, Traversable | Path]] = []
        for name in ("pack.yaml", "sectors.yaml", "synonyms.yaml", "register.yaml", "industries.yaml"):
            entry = self.root / name
            if entry.is_file():
                found.append((name, entry))
            elif name in ("pack.yaml", "sectors.yaml"):
                self.problem(name, None, "missing: every pack needs pack.yaml and sectors.yaml")
        for folder in ("facts", "standards"):
            directory = self.root / folder
            if not directory.is_dir():
                self.problem(f"{folder}/", None, "missing directory")
                continue
            entries = sorted(directory.iterdir(), key=lambda e: e.name)
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                    found.append((f"{folder}/{entry.name}", entry))
        return found

    def parse(self, name: str, entry: Traversable | Path) -> Any:
        with entry.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            self.problem(name, None, f"file larger than {MAX_FILE_BYTES // 2**20} MiB: not read")
            return None
        self.digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(name, None, f"not UTF-8 text (line {line}): {exc.reason} at byte {exc.start}")
            return None
        try:
            return load_yaml(text)
        except UnsafeYaml as exc:
            self.problem(name, exc.item, f"refused YAML: {exc}")
        except (yaml.YAMLError, ValueError, RecursionError) as exc:  # incl. the duplicate-key error
            self.problem(name, None, f"invalid YAML: {exc}")
        return None

    def validate(self, name: str, data: Any, model: type[BaseModel]) -> Any:
        if not isinstance(data, dict):
            self.problem(name, None, f"expected a mapping at the top, found {type(data).__name__}")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                item, where = _locate(data, error["loc"])
                self.problem(name, item, f"{where}: {error['msg']}" if where else error["msg"])
            return None

    # -- building ------------------------------------------------------------------------------
    def run(self) -> tuple[Pack | None, list[Problem]]:
        manifest: PackManifest | None = None
        sectors_file: SectorsFile | None = None
        synonyms_file: SynonymsFile | None = None
        register_file: RegisterFile | None = None
        industries_file: IndustriesFile | None = None
        kinds: dict[str, InstallationKind] = {}
        kind_origin: dict[str, str] = {}
        facts: dict[str, FactSpec] = {}
        fact_origin: dict[str, str] = {}
        global_derivations: list[tuple[str, DerivationSpec]] = []
        standard_files: list[tuple[str, StandardFile]] = []

        for name, entry in self.files():
            data = self.parse(name, entry)
            if data is None and not self.problems_for(name):
                self.problem(name, None, "empty file")
                continue
            if data is None:
                continue
            if name == "pack.yaml":
                manifest = self.validate(name, data, PackManifest)
            elif name == "sectors.yaml":
                sectors_file = self.validate(name, data, SectorsFile)
            elif name == "synonyms.yaml":
                synonyms_file = self.validate(name, data, SynonymsFile)
            elif name == "register.yaml":
                register_file = self.validate(name, data, RegisterFile)
            elif name == "industries.yaml":
                industries_file = self.validate(name, data, IndustriesFile)
            elif name.startswith("facts/"):
                parsed = self.validate(name, data, FactsFile)
                if parsed is None:
                    continue
                for kind, kind_spec in parsed.installations.items():
                    if kind in kinds:
                        self.problem(
                            name, kind, f"installation kind defined twice (also in {kind_origin[kind]})"
                        )
                        continue
                    kinds[kind] = kind_spec
                    kind_origin[kind] = name
                for fact, spec in parsed.facts.items():
                    if fact in facts:
                        self.problem(name, fact, f"fact defined twice (also in {fact_origin[fact]})")
                        continue
                    facts[fact] = spec
                    fact_origin[fact] = name
                global_derivations.extend((name, d) for d in parsed.derivations)
            else:
                parsed = self.validate(name, data, StandardFile)
                if parsed is not None:
                    standard_files.append((name, parsed))

        for name, spec in facts.items():
            if spec.installation is not None and spec.installation not in kinds:
                self.problem(fact_origin[name], name, f"unknown installation kind {spec.installation!r}")
        self.lineage = self.kind_lineages(kinds, kind_origin)
        self.fact_kinds = {name: spec.installation for name, spec in facts.items()}
        types = {name: _fact_type(spec) for name, spec in facts.items()}
        for kind, kind_spec in kinds.items():
            for fact, value in kind_spec.implies.items():
                if fact not in types:
                    self.problem(kind_origin[kind], kind, f"implies unknown fact {fact!r}")
                elif facts[fact].installation is not None:
                    self.problem(kind_origin[kind], kind, f"implies {fact!r}, a fact of an installation")
                elif not _value_fits(value, types[fact]):
                    self.problem(kind_origin[kind], kind, f"implies {fact}={value!r}: not of its type")
        matters = {m.matter for _, f in standard_files for m in f.standard.defers}
        for name, spec in facts.items():
            if spec.matter is not None and spec.matter not in matters:
                self.problem(
                    fact_origin[name], name, f"matter {spec.matter!r} is deferred by no standard", "warning"
                )
        sectors = dict(sectors_file.sectors) if sectors_file else {}
        for slug, sector_spec in sectors.items():
            if sector_spec.installation is not None and sector_spec.installation not in kinds:
                self.problem("sectors.yaml", slug, f"unknown installation kind {sector_spec.installation!r}")
            for fact, value in sector_spec.implies.items():
                if fact not in types:
                    self.problem("sectors.yaml", slug, f"implies unknown fact {fact!r}")
                elif facts[fact].installation is not None:
                    self.problem("sectors.yaml", slug, f"implies {fact!r}, a fact of an installation")
                elif not _value_fits(value, types[fact]):
                    self.problem("sectors.yaml", slug, f"implies {fact}={value!r}: not of its type")
        pack_derivations = self.compile_derivations(global_derivations, None, types)
        standards: dict[str, CompiledStandard] = {}
        rule_index: dict[str, CompiledRule] = {}
        for name, parsed in standard_files:
            compiled = self.compile_standard(name, parsed, types, sectors, pack_derivations)
            if compiled is None:
                continue
            if compiled.slug in standards:
                self.problem(
                    name, compiled.slug, f"standard defined twice (also in {standards[compiled.slug].file})"
                )
                continue
            standards[compiled.slug] = compiled
            for rule in compiled.rules:
                if rule.id in rule_index:
                    self.problem(name, rule.id, f"duplicate rule id (also in {rule_index[rule.id].file})")
                rule_index[rule.id] = rule

        for standard in standards.values():
            for route in standard.routes.values():
                target = standards.get(route.standard)
                if target is None:
                    message = f"route to {route.standard!r}: not in this pack"
                    self.problem(standard.file, standard.slug, message, "warning")
                elif route.as_sector not in target.meta.sectors:
                    message = f"route to {route.standard}: {route.as_sector!r} is not one of its sectors"
                    self.problem(standard.file, standard.slug, message)
        register = self.check_register(register_file, standards, sectors)
        if industries_file is not None:
            self.check_industries(industries_file, sectors)
        if manifest is None:
            return None, self.problems
        pack = Pack(
            root=str(self.root),
            manifest=manifest,
            digest="sha256:" + self.digest.hexdigest(),
            facts=facts,
            fact_types=types,
            sectors=sectors,
            standards=standards,
            rule_index=rule_index,
            global_derivations=tuple(pack_derivations),
            fact_files=fact_origin,
            synonyms=tuple(tuple(group) for group in synonyms_file.synonyms) if synonyms_file else (),
            distinctions=tuple(synonyms_file.distinct) if synonyms_file else (),
            installation_kinds=kinds,
            register=register,
            industries=industries_file,
            lifted=tuple(self.lifted),
        )
        return pack, self.problems

    def check_industries(self, data: IndustriesFile, sectors: dict[str, Any]) -> None:
        """Sectors named in industries.yaml exist; every code is in its table; the table is well formed."""
        file = "industries.yaml"
        try:
            names, _ = parse_table(data.table)
        except ValueError as exc:
            self.problem(file, "table", str(exc))
            return
        used: list[tuple[str, str]] = []
        for mapping in data.mappings:
            used += [(mapping.sector, c) for c in (*mapping.include, *mapping.exclude)]
        for pointer in data.elsewhere:
            used += [(s, c) for s in pointer.sectors for c in pointer.codes]
        for word, entry in data.words.items():
            used += [(s, "") for s in entry.sectors] + [("", c) for c in entry.codes]
            if word in sectors or any(word == s.name or word in s.aliases for s in sectors.values()):
                self.problem(file, word, "the word is already a sector's slug, name or alias", "warning")
        for sector, code in used:
            if sector and sector not in sectors:
                self.problem(file, sector, f"unknown sector {sector!r}")
            if code and code not in names:
                self.problem(file, code, f"{code} is not a code of the table")
        for slug, spec in sectors.items():
            for code in (*spec.industry_codes, *spec.excludes):
                if names and code not in names:
                    self.problem("sectors.yaml", slug, f"industry code {code} is not a GB/T 4754-2017 code")
        for pointer in data.elsewhere:
            for code in pointer.codes:
                owners = [
                    slug
                    for slug, spec in sectors.items()
                    if any(code.startswith(c) for c in spec.industry_codes)
                ]
                if owners:
                    message = (
                        f"elsewhere: code {code} is also an industry code of {', '.join(owners)} "
                        "(sectors.yaml), which wins: drop it here"
                    )
                    self.problem(file, code, message, "warning")

    def check_register(
        self,
        register_file: RegisterFile | None,
        standards: dict[str, CompiledStandard],
        sectors: dict[str, Any],
    ) -> dict[str, RegisterDocument]:
        """The register by id; every encoded standard is in it and agrees with its own file."""
        if register_file is None:
            return {}
        file = "register.yaml"
        register: dict[str, RegisterDocument] = {}
        for document in register_file.documents:
            if document.id in register:
                self.problem(file, document.id, "document listed twice")
            register[document.id] = document
            for sector in document.sectors:
                if sector not in sectors:
                    self.problem(file, document.id, f"unknown sector {sector!r}")
            if document.effective and document.ends and document.ends <= document.effective:
                self.problem(file, document.id, "ends must be after effective")
            if document.text != "full" and not document.not_encoded_reason:
                self.problem(file, document.id, "a document whose text is not full needs not_encoded_reason")
        for document in register.values():
            for other in [*document.predecessors, *([document.successor] if document.successor else [])]:
                if other not in register:
                    self.problem(file, document.id, f"predecessor/successor {other!r} is not in the register")
        for slug, standard in standards.items():
            found = register.get(slug)
            if found is None:
                self.problem(standard.file, slug, "the standard is not in register.yaml")
                continue
            document = found
            meta = standard.meta
            pairs = [
                ("title", meta.title, document.title),
                ("document_number", meta.document_number, document.document_number),
                ("effective", meta.effective or meta.published, document.effective or document.published),
                ("ends", meta.ends, document.ends),
            ]
            for field_name, ours, theirs in pairs:
                if ours != theirs:
                    message = f"standard.{field_name} {ours!r} differs from register.yaml's {theirs!r}"
                    self.problem(standard.file, slug, message)
            if set(meta.sectors) != set(document.sectors):
                message = f"standard.sectors {meta.sectors} differ from register.yaml's {document.sectors}"
                self.problem(standard.file, slug, message)
        return register

    def kind_lineages(
        self, kinds: dict[str, InstallationKind], origin: dict[str, str]
    ) -> dict[str, tuple[str, ...]]:
        """Each kind with the broader kinds it is a case of (``is_a``), checking each exists once."""
        out: dict[str, tuple[str, ...]] = {}
        for kind, spec in kinds.items():
            lineage = [kind]
            current: InstallationKind | None = spec
            while current is not None and current.is_a is not None:
                if current.is_a not in kinds:
                    self.problem(origin[kind], kind, f"is_a: unknown installation kind {current.is_a!r}")
                    break
                if current.is_a in lineage:
                    cycle = " → ".join([*lineage, current.is_a])
                    self.problem(origin[kind], kind, f"is_a: the kinds form a cycle ({cycle})")
                    break
                lineage.append(current.is_a)
                current = kinds.get(current.is_a)
            out[kind] = tuple(lineage)
        return out

    def specific(self, kinds: set[str]) -> set[str]:
        """The kinds without those that are a broader kind of another one in the set."""
        broader = {b for k in kinds for b in self.lineage.get(k, (k,))[1:]}
        return kinds - broader

    def problems_for(self, name: str) -> bool:
        return any(p.file == name for p in self.problems)

    def expression(
        self,
        file: str,
        item: str,
        what: str,
        text: str,
        types: dict[str, ExprType],
        want: ExprType | None = BOOL,
    ) -> CompiledExpr | None:
        try:
            ast = parse(text)
            found = check(ast, types, text)
        except ExpressionError as exc:
            self.problem(file, item, f"{what}: {exc}")
            return None
        if want is not None and found.kind != want.kind:
            self.problem(file, item, f"{what} must be a condition (true/false), but it is {found.describe()}")
            return None
        return CompiledExpr(text, ast, compile_expr(ast), fact_names(ast))

    def compile_derivations(
        self,
        specs: Iterable[tuple[str, DerivationSpec]],
        scope: str | None,
        types: dict[str, ExprType],
        readings: frozenset[str] = frozenset(),
    ) -> list[CompiledDerivation]:
        out: list[CompiledDerivation] = []
        for file, spec in specs:
            if scope is not None and NAMED_ID.match(spec.id) and not spec.id.startswith(scope + ":"):
                self.problem(file, spec.id, f"derivation id must start with '{scope}:'")
            if spec.reading is not None and spec.reading not in readings:
                where = "a facts file has no readings" if scope is None else f"no such reading in {file}"
                self.problem(file, spec.id, f"reading {spec.reading!r}: {where}")
            if spec.any_installation:
                self.lift(file, spec, scope, types)
                continue
            target = types.get(spec.derives)
            if target is None:
                self.problem(file, spec.id, f"derives unknown fact {spec.derives!r}")
                continue
            if not _value_fits(spec.value, target):
                self.problem(
                    file, spec.id, f"value {spec.value!r} does not fit {spec.derives} ({target.describe()})"
                )
                continue
            when = self.expression(file, spec.id, "when", spec.when, types)
            if when is None:
                continue
            target_kind = self.fact_kinds.get(spec.derives)
            read_kinds = {self.fact_kinds.get(f) for f in when.facts} - {None}
            allowed = set(self.lineage.get(target_kind, (target_kind,))) if target_kind else set()
            if read_kinds - allowed:
                where = ", ".join(sorted(k for k in read_kinds if k))
                if target_kind is None:
                    message = (
                        f"derives {spec.derives}, a fact of the enterprise, from facts of one installation "
                        f"({where}): a derivation may not conclude for the whole site from one installation"
                    )
                else:
                    message = (
                        f"derives a fact of {target_kind} from facts of another installation kind ({where})"
                    )
                self.problem(file, spec.id, message)
                continue
            out.append(CompiledDerivation(spec, scope, when))
        return out

    def lift(self, file: str, spec: DerivationSpec, scope: str | None, types: dict[str, ExprType]) -> None:
        """An any_installation derivation: from one installation kind's facts to an enterprise fact."""
        if scope is not None:
            self.problem(file, spec.id, "any_installation derivations belong in a facts file")
            return
        target = types.get(spec.derives)
        if target is None or not _value_fits(spec.value, target):
            self.problem(file, spec.id, f"derives unknown fact {spec.derives!r} or a value not of its type")
            return
        when = self.expression(file, spec.id, "when", spec.when, types)
        if when is None:
            return
        read_kinds = {self.fact_kinds.get(f) for f in when.facts} - {None}
        if self.fact_kinds.get(spec.derives) is not None or len(read_kinds) != 1:
            self.problem(
                file,
                spec.id,
                "an any_installation derivation reads the facts of one installation kind (and of the "
                "enterprise) and derives a fact of the enterprise",
            )
            return
        self.lifted.append(CompiledDerivation(spec, None, when))

    def compile_standard(
        self,
        file: str,
        parsed: StandardFile,
        types: dict[str, ExprType],
        sectors: dict[str, Any],
        pack_derivations: list[CompiledDerivation],
    ) -> CompiledStandard | None:
        meta = parsed.standard
        slug = meta.slug
        if file != f"standards/{slug}.yaml":
            self.problem(file, slug, f"the file of standard {slug!r} must be standards/{slug}.yaml")
        for sector in meta.sectors:
            if sector not in sectors:
                self.problem(file, slug, f"unknown sector {sector!r} in standard.sectors")
        if meta.ends and meta.effective and meta.ends <= meta.effective:
            self.problem(file, slug, "standard.ends must be after standard.effective")

        self.names = set()
        for article in parsed.unnumbered:
            if article.segment == LEAD or article.segment in self.names:
                self.problem(file, slug, f"unnumbered: segment {article.segment!r} is reserved or used twice")
            self.names.add(article.segment)
        provisions: dict[str, Any] = {}
        for provision in parsed.provisions:
            pid = f"{slug}:{provision.path}"
            if pid in provisions:
                self.problem(file, pid, "provision listed twice")
            self.check_label(file, pid, provision.label, provision.path)
            provisions[pid] = provision

        routes: dict[str, CompiledRoute] = {}
        for deferral in meta.defers:
            where = f"defers {deferral.matter}"
            if deferral.basis not in provisions:
                self.problem(
                    file, slug, f"{where}: basis {deferral.basis!r} is not a provision of this standard"
                )
            route = deferral.route
            if route is None:
                continue
            if route.standard not in deferral.standards:
                self.problem(file, slug, f"{where}: route.standard must be one of its standards")
            when = self.expression(file, slug, f"{where}: route.when", route.when, types)
            if when is not None:
                routes[deferral.matter] = CompiledRoute(
                    deferral.matter, route.standard, route.as_sector, when, route.outside
                )
        readings: dict[str, Any] = {}
        for reading in parsed.readings:
            if not reading.id.startswith(slug + ":"):
                self.problem(file, reading.id, f"reading id must start with '{slug}:'")
            if reading.id in readings:
                self.problem(file, reading.id, "reading listed twice")
            readings[reading.id] = reading
        own = self.compile_derivations(
            ((file, d) for d in parsed.derivations), slug, types, frozenset(readings)
        )
        for reading_id in readings:
            if not any(d.reading == reading_id for d in parsed.derivations):
                self.problem(file, reading_id, "no derivation belongs to this reading", "warning")
        derivations = self.order_derivations(file, [*pack_derivations, *own])
        derived_by: dict[str, list[CompiledDerivation]] = {}
        for derivation in derivations:
            derived_by.setdefault(derivation.spec.derives, []).append(derivation)

        rules: list[CompiledRule] = []
        units: list[CompiledRule] = []
        seen: set[str] = set()
        for order, spec in enumerate(parsed.rules):
            match = RULE_ID.match(spec.id)
            if match is None or match["slug"] != slug:
                self.problem(file, spec.id, f"rule id must be '{slug}:<path>'")
                continue
            duplicate = spec.id in seen
            if duplicate:
                self.problem(file, spec.id, "duplicate rule id")
            if spec.id in provisions:
                self.problem(file, spec.id, "both a rule and a provision")
            seen.add(spec.id)
            path = match["path"]
            self.check_label(file, spec.id, spec.label, path)
            rule_sectors = spec.applies.sectors if spec.applies.sectors is not None else meta.sectors
            for sector in rule_sectors:
                if sector not in sectors:
                    self.problem(file, spec.id, f"applies.sectors: unknown sector {sector!r}")
            applies = None
            if spec.applies.when is not None:
                applies = self.expression(file, spec.id, "applies.when", spec.applies.when, types)
                if applies is None:
                    continue
            condition = self.expression(file, spec.id, "condition", spec.condition, types)
            if condition is None:
                continue
            citings: list[CompiledCiting] = []
            for citing in spec.also_cites:
                target = provisions.get(citing.provision)
                if target is None:
                    self.problem(
                        file, spec.id, f"also_cites: no provision {citing.provision!r} in this standard"
                    )
                    continue
                when = self.expression(file, spec.id, "also_cites.when", citing.when, types)
                if when is not None:
                    citings.append(CompiledCiting(target, citing.provision, when))
            if not spec.examples:
                self.problem(file, spec.id, "a rule needs examples")
            if duplicate:
                continue
            rule = CompiledRule(
                spec=spec,
                standard=slug,
                path=path,
                file=file,
                sectors=frozenset(rule_sectors),
                applies=applies,
                condition=condition,
                also_cites=tuple(citings),
                touch=_closure([*condition.facts, *(applies.facts if applies else ())], derived_by),
                order=order,
                key=spec.id,
                id=spec.id,
                values_read=values_read([condition.ast, *([applies.ast] if applies else [])], types),
            )
            parts = self.split_by_kind(file, rule, derived_by, types)
            if parts is None:
                continue
            rules.append(parts[0] if len(parts) == 1 else replace(rule, kinds=tuple(p.kind for p in parts)))
            units.extend(parts)
        unencoded = []
        for missing in parsed.unencoded:
            mid = f"{slug}:{missing.path}"
            if mid in seen or mid in provisions:
                self.problem(file, mid, "listed as unencoded but it is encoded")
            self.check_label(file, mid, missing.label, missing.path)
            for sector in missing.sectors or ():
                if sector not in meta.sectors:
                    self.problem(
                        file, mid, f"unencoded.sectors: {sector!r} is not one of the standard's sectors"
                    )
            unencoded.append(missing)
        compiled = CompiledStandard(
            meta=meta,
            file=file,
            rules=tuple(rules),
            provisions=provisions,
            derivations=tuple(derivations),
            derived_by={k: tuple(v) for k, v in derived_by.items()},
            parsed_rules=tuple(parsed.rules),
            routes=routes,
            units=tuple(units),
            unencoded=tuple(unencoded),
            readings=readings,
            unnumbered=tuple(parsed.unnumbered),
            reading_derivations=any(d.spec.reading for d in derivations),
        )
        by_sector: dict[str, list[CompiledRule]] = {s: [] for s in meta.sectors}
        for unit in units:
            for sector in sorted(unit.sectors):
                by_sector.setdefault(sector, []).append(unit)
        compiled.by_sector = {k: tuple(v) for k, v in by_sector.items()}
        return compiled

    def kind_of(self, facts: Iterable[str]) -> set[str]:
        """The installation kinds the facts are about, the most specific only (boiler, not also the
        special-equipment device it is a case of)."""
        return self.specific({k for f in facts if (k := self.fact_kinds.get(f)) is not None})

    def split_by_kind(
        self,
        file: str,
        rule: CompiledRule,
        derived_by: dict[str, list[CompiledDerivation]],
        types: dict[str, ExprType],
    ) -> list[CompiledRule] | None:
        """The rule's evaluable units: itself when it names its kind in applies.installation, or reads
        at most one installation kind and is not alternatives about the enterprise beside alternatives
        about that kind (with an applicability read from the enterprise only); else one unit per kind
        of its top-level alternatives (each alternative about one kind, or about the enterprise: such
        a part is judged once, on the enterprise's facts, and never names an installation)."""
        kinds = self.kind_of(rule.touch)
        declared = rule.spec.applies.installation
        if declared is not None:
            lineage = self.lineage.get(declared)
            if lineage is None:
                self.problem(file, rule.id, f"applies.installation: unknown installation kind {declared!r}")
                return None
            foreign = {k for f in rule.touch if (k := self.fact_kinds.get(f)) is not None} - set(lineage)
            if foreign:
                where = ", ".join(sorted(foreign))
                message = f"applies.installation is {declared}, but the rule reads facts of {where}"
                self.problem(file, rule.id, message)
                return None
            return [replace(rule, kind=declared, kinds=(declared,))]
        ast = rule.condition.ast
        groups: dict[str | None, list[n.Node]] = {}
        if kinds and isinstance(ast, n.Or):
            for operand in ast.operands:
                found = self.kind_of(_closure(fact_names(operand), derived_by))
                if len(found) > 1:
                    self.problem(
                        file, rule.id, f"the alternative {operand} reads facts of several installation kinds"
                    )
                    return None
                groups.setdefault(next(iter(found), None), []).append(operand)
        applies_kinds = self.kind_of(_closure(rule.applies.facts, derived_by)) if rule.applies else set()
        if len(kinds) <= 1 and (len(groups) <= 1 or applies_kinds):
            # One kind (or none), and no enterprise alternative that could be judged on its own: an
            # applicability read from the installation makes every alternative a question about it.
            return [replace(rule, kind=next(iter(kinds), None), kinds=(next(iter(kinds), None),))]
        where = ", ".join(sorted(kinds))
        if applies_kinds or not isinstance(ast, n.Or):
            self.problem(
                file,
                rule.id,
                f"the rule reads facts of several installation kinds ({where}): its condition must be "
                "alternatives (or) each about one kind or about the enterprise, and applies.when may read "
                "only enterprise facts",
            )
            return None
        parts = []
        for kind, operands in groups.items():
            node = operands[0] if len(operands) == 1 else n.Or(tuple(operands))
            condition = CompiledExpr(str(node), node, compile_expr(node), fact_names(node))
            reads = [*condition.facts, *(rule.applies.facts if rule.applies else ())]
            parts.append(
                replace(
                    rule,
                    condition=condition,
                    touch=_closure(reads, derived_by),
                    key=f"{rule.id}#{kind or 'enterprise'}",
                    kind=kind,
                    kinds=tuple(groups),
                    values_read=values_read(
                        [condition.ast, *([rule.applies.ast] if rule.applies else [])], types
                    ),
                )
            )
        return parts

    def check_label(self, file: str, item: str, label: str, path: str) -> None:
        """The label reads as the path without its named segments (lead, declared names); a letter
        segment is a lettered item (4.2 a) → 4.2.a)."""
        segments = path.split(".")
        numbers = label_path(label)
        numeric = ".".join(s for s in segments if s != LEAD and s not in self.names)
        if numbers != numeric:
            self.problem(file, item, f"label {label!r} reads as path {numbers or '(none)'}, not {path}")
        for segment in segments:
            lettered = len(segment) == 1 and segment.isalpha()
            if not segment.isdigit() and not lettered and segment != LEAD and segment not in self.names:
                self.problem(
                    file,
                    item,
                    f"path segment {segment!r} is neither a number, 'lead' nor declared under unnumbered",
                )

    def order_derivations(self, file: str, derivations: list[CompiledDerivation]) -> list[CompiledDerivation]:
        """Order derivations so each runs after those deriving what it reads; report cycles."""
        by_fact: dict[str, list[CompiledDerivation]] = {}
        for d in derivations:
            by_fact.setdefault(d.spec.derives, []).append(d)
        ordered: list[CompiledDerivation] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(fact: str, trail: list[str]) -> None:
            if state.get(fact) == 2:
                return
            if state.get(fact) == 1:
                cycle = " → ".join([*trail[trail.index(fact) :], fact])
                ids = ", ".join(sorted({d.spec.id for f in trail for d in by_fact.get(f, [])}))
                self.problem(file, ids, f"derivation cycle: {cycle}")
                return
            state[fact] = 1
            for d in by_fact.get(fact, []):
                for read in d.when.facts:
                    if read in by_fact:
                        visit(read, [*trail, fact])
            state[fact] = 2
            ordered.extend(by_fact.get(fact, []))

        for fact in by_fact:
            visit(fact, [])
        return ordered


def _closure(facts: Iterable[str], derived_by: dict[str, list[CompiledDerivation]]) -> frozenset[str]:
    out: set[str] = set()
    stack = list(facts)
    while stack:
        fact = stack.pop()
        if fact in out:
            continue
        out.add(fact)
        for d in derived_by.get(fact, []):
            stack.extend(d.when.facts)
    return frozenset(out)


def _fact_type(spec: FactSpec) -> ExprType:
    if spec.type == "bool":
        return BOOL
    if spec.type in ("number", "integer"):
        return NUMBER
    values = frozenset(spec.values or {})
    return ExprType("string" if spec.type == "enum" else "set", values=values)


def _value_fits(value: object, target: ExprType) -> bool:
    if target.kind == "bool":
        return isinstance(value, bool)
    if target.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if target.kind == "string":
        return isinstance(value, str) and (target.values is None or value in target.values)
    return False


def _locate(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[str | None, str]:
    """Turn a pydantic error location into (rule or fact name, the rest of the path)."""
    if len(loc) >= 2 and loc[0] in ("rules", "derivations", "provisions") and isinstance(loc[1], int):
        items = data.get(str(loc[0])) or []
        entry = items[loc[1]] if loc[1] < len(items) else None
        key = "path" if loc[0] == "provisions" else "id"
        name = entry.get(key) if isinstance(entry, dict) else None
        item = str(name) if name else f"{loc[0]}[{loc[1]}]"
        return item, ".".join(str(part) for part in loc[2:])
    if len(loc) >= 2 and loc[0] in ("facts", "sectors"):
        return str(loc[1]), ".".join(str(part) for part in loc[2:])
    return None, ".".join(str(part) for part in loc)
