"""One source of truth: schemas, suites, Label Studio config, ClassLabels and card follow
``schemas/label_scheme.json``, and the committed generated files equal their regeneration."""

from __future__ import annotations

import importlib
import json
from xml.etree import ElementTree as ET

import pytest
from datasets import ClassLabel
from jsonschema import Draft202012Validator

from newscorpus.model.labels import LabelScheme
from newscorpus.model.schema import validator
from newscorpus.project import Project
from newscorpus.release import BuildInfo, features, render
from newscorpus.validate.expectations import SUITE_TABLES, build_suites, render_suite
from newscorpus.validate.schemas import ENUM_FIELDS, fill_enums, render_schema
from newscorpus.validate.tables import card_checks
from tests.conftest import REPO

PROJECT = Project(REPO)


@pytest.fixture(scope="module")
def scheme() -> LabelScheme:
    return PROJECT.label_scheme()


def test_label_scheme_matches_its_schema() -> None:
    v = validator(PROJECT.schema("label_scheme"))
    data = json.loads((REPO / "schemas" / "label_scheme.json").read_text(encoding="utf-8"))
    assert list(v.iter_errors(data)) == []


def test_every_schema_is_valid_draft_2020_12_with_format_checks() -> None:
    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        Draft202012Validator.check_schema(schema)
    v = PROJECT.validator("document")
    assert v.format_checker is not None
    assert "date" in v.format_checker.checkers and "uri" in v.format_checker.checkers


@pytest.mark.parametrize("name", sorted(ENUM_FIELDS))
def test_committed_schema_equals_its_regeneration(name: str, scheme: LabelScheme) -> None:
    path = REPO / "schemas" / f"{name}.schema.json"
    committed = path.read_text(encoding="utf-8")
    assert committed == render_schema(fill_enums(name, json.loads(committed), scheme)), (
        f"{path.name} is stale: run scripts/gen_validation.py")


def test_schema_enums_are_the_scheme_names(scheme: LabelScheme) -> None:
    assert PROJECT.schema("entity")["properties"]["label"]["enum"] == list(  # type: ignore[index]
        scheme.entity_names)
    assert PROJECT.schema("claim")["properties"]["claim_type"]["enum"] == list(  # type: ignore[index]
        scheme.claim_type_names)


@pytest.mark.parametrize("table", SUITE_TABLES)
def test_committed_suite_equals_its_regeneration(table: str, scheme: LabelScheme) -> None:
    committed = (REPO / "validation" / f"{table}.json").read_text(encoding="utf-8")
    assert committed == render_suite(build_suites(scheme)[table]), (
        f"validation/{table}.json is stale: run scripts/gen_validation.py")


def test_suites_are_deterministic_and_carry_no_ids(scheme: LabelScheme) -> None:
    a, b = build_suites(scheme), build_suites(scheme)
    assert a == b
    for suite in a.values():
        assert "id" not in suite and "id" not in suite["expectations"][0]
        assert "great_expectations_version" not in render_suite(suite)
        checks = [e["meta"]["check"] for e in suite["expectations"]]
        assert len(checks) == len(set(checks))


def test_suite_value_sets_are_the_scheme_names(scheme: LabelScheme) -> None:
    suites = build_suites(scheme)

    def value_set(table: str, check: str) -> list[str]:
        [exp] = [e for e in suites[table]["expectations"] if e["meta"]["check"] == check]
        return list(exp["kwargs"]["value_set"])

    assert value_set("entities", "entities.label_in_scheme") == list(scheme.entity_names)
    assert value_set("claims", "claims.claim_type_in_scheme") == list(scheme.claim_type_names)


def test_parquet_classlabel_names_are_the_scheme_names(scheme: LabelScheme) -> None:
    feats = features(scheme)
    label, ctype = feats["entities"]["label"], feats["claims"]["claim_type"]
    assert isinstance(label, ClassLabel) and isinstance(ctype, ClassLabel)
    assert label.names == list(scheme.entity_names)
    assert ctype.names == list(scheme.claim_type_names)


def test_dataset_card_agrees_with_the_scheme(scheme: LabelScheme) -> None:
    info = BuildInfo(name="newscorpus", version="0.0.0", normalizer_version="0",
                     scheme=scheme, features=features(scheme),
                     counts={"documents": {"train": 1}, "entities": {"train": 1},
                             "claims": {"train": 1}})
    [check] = card_checks(render(info), scheme)
    assert check.success, check.details


def test_dataset_card_with_other_names_fails_the_check(scheme: LabelScheme) -> None:
    info = BuildInfo(name="newscorpus", version="0.0.0", normalizer_version="0",
                     scheme=scheme, features=features(scheme),
                     counts={"documents": {"train": 1}, "entities": {"train": 1}})
    card = render(info).replace("'1': NORP", "'1': NATIONALITY")
    [check] = card_checks(card, scheme)
    assert not check.success
    assert any("entities.label ClassLabel names" in d for d in check.details)


def test_label_studio_config_agrees_with_the_scheme(scheme: LabelScheme) -> None:
    try:
        config = importlib.import_module("newscorpus.annotate.config")
    except ImportError:
        pytest.skip("newscorpus.annotate.config is not there yet (built by another stage)")
    view = ET.fromstring(config.label_config(scheme))
    ents = [x.get("value") for x in view.find(f"./Labels[@name='{config.ENTITIES}']") or []]
    types = [x.get("value") for x in view.find(f"./Choices[@name='{config.CLAIM_TYPE}']") or []]
    assert ents == list(scheme.entity_names)
    assert types == list(scheme.claim_type_names)
