"""Read a rule-pack directory, validate every file and compile it, collecting every problem.

Nothing in a pack is executed: YAML is read with a safe loader and conditions are parsed by the
library's own parser. A malformed pack raises :class:`PackError` listing each problem with its file
and rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import PackError, Problem
from ..lang import ExpressionError, ExprType, check, compile_expr, fact_names, parse
from ..lang.check import BOOL, NUMBER
from .format import (
    NAMED_ID,
    RULE_ID,
    DerivationSpec,
    FactsFile,
    FactSpec,
    PackManifest,
    SectorsFile,
    StandardFile,
    SynonymsFile,
)
from .model import (
    CompiledCiting,
    CompiledDerivation,
    CompiledExpr,
    CompiledRoute,
    CompiledRule,
    CompiledStandard,
    Pack,
)
from .numerals import label_numbers
from .safe_yaml import UnsafeYaml, load_yaml

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

    def problem(self, file: str, item: str | None, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(file, item, message, severity))

    # -- reading -------------------------------------------------------------------------------
    def files(self) -> list[tuple[str, Traversable | Path]]:
        if not self.root.is_dir():
            self.problem(str(self.root), None, "not a rule-pack directory")
            return []
        found: list[tuple[str, Traversable | Path]] = []
        for name in ("pack.yaml", "sectors.yaml", "synonyms.yaml"):
            entry = self.root / name
            if entry.is_file():
                found.append((name, entry))
            elif name != "synonyms.yaml":
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
            elif name.startswith("facts/"):
                parsed = self.validate(name, data, FactsFile)
                if parsed is None:
                    continue
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

        types = {name: _fact_type(spec) for name, spec in facts.items()}
        matters = {m.matter for _, f in standard_files for m in f.standard.defers}
        for name, spec in facts.items():
            if spec.matter is not None and spec.matter not in matters:
                self.problem(
                    fact_origin[name], name, f"matter {spec.matter!r} is deferred by no standard", "warning"
                )
        sectors = dict(sectors_file.sectors) if sectors_file else {}
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
        )
        return pack, self.problems

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
        self, specs: Iterable[tuple[str, DerivationSpec]], scope: str | None, types: dict[str, ExprType]
    ) -> list[CompiledDerivation]:
        out: list[CompiledDerivation] = []
        for file, spec in specs:
            if scope is not None and NAMED_ID.match(spec.id) and not spec.id.startswith(scope + ":"):
                self.problem(file, spec.id, f"derivation id must start with '{scope}:'")
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
            if when is not None:
                out.append(CompiledDerivation(spec, scope, when))
        return out

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
                    deferral.matter, route.standard, route.as_sector, when
                )
        own = self.compile_derivations(((file, d) for d in parsed.derivations), slug, types)
        derivations = self.order_derivations(file, [*pack_derivations, *own])
        derived_by: dict[str, list[CompiledDerivation]] = {}
        for derivation in derivations:
            derived_by.setdefault(derivation.spec.derives, []).append(derivation)

        rules: list[CompiledRule] = []
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
            rules.append(
                CompiledRule(
                    spec=spec,
                    standard=slug,
                    path=path,
                    file=file,
                    sectors=frozenset(rule_sectors),
                    applies=applies,
                    condition=condition,
                    also_cites=tuple(citings),
                    touch=_closure(condition.facts, derived_by),
                    order=order,
                )
            )
        compiled = CompiledStandard(
            meta=meta,
            file=file,
            rules=tuple(rules),
            provisions=provisions,
            derivations=tuple(derivations),
            derived_by={k: tuple(v) for k, v in derived_by.items()},
            parsed_rules=tuple(parsed.rules),
            routes=routes,
        )
        by_sector: dict[str, list[CompiledRule]] = {s: [] for s in meta.sectors}
        for rule in rules:
            for sector in sorted(rule.sectors):
                by_sector.setdefault(sector, []).append(rule)
        compiled.by_sector = {k: tuple(v) for k, v in by_sector.items()}
        return compiled

    def check_label(self, file: str, item: str, label: str, path: str) -> None:
        numbers = ".".join(str(n) for n in label_numbers(label))
        if numbers != path:
            self.problem(file, item, f"label {label!r} reads as path {numbers or '(none)'}, not {path}")

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
