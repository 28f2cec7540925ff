"""The corpus: bad input a user really writes or meets, and what the one error line must say.

Each case gives the files to put in the working directory, the command line, a setup of the portal
(optional), and the fragments the error line must contain: where (``file:line:col`` for YAML, or the
method for a portal's refusal), what, and the next step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from b24provision.emulator.testing import by_hand

GOOD = """\
pipelines:
  - key: sales
    name: Продажи
    stages:
      - {code: NEW, name: Новая}
      - {code: WON, name: Успех, semantics: success}
      - {code: LOSE, name: Провал, semantics: failure}
"""

# The fresh portal's default pipeline as it is: planning it changes nothing there.
DEFAULT_AS_IS = """\
  - key: general
    name: Общее
    default: true
    stages:
      - {code: NEW, name: Новая}
      - {code: PREPARATION, name: Подготовка документов}
      - {code: PREPAYMENT_INVOICE, name: Счёт на предоплату}
      - {code: EXECUTING, name: В работе}
      - {code: FINAL_INVOICE, name: Финальный счёт}
      - {code: WON, name: Сделка успешна, semantics: success}
      - {code: LOSE, name: Сделка провалена, semantics: failure}
      - {code: APOLOGY, name: Анализ причины провала, semantics: failure}
"""

ENUM_TWICE = (
    "fields:\n  - {code: SIZE, type: enumeration, items: [{xml_id: a, value: A}, {xml_id: a, value: B}]}\n"
)
APPLY = ["apply", "bp.yaml", "--portal", "env:B24_TEST_HOOK", "--auto-approve", "--allow-delete"]
APPLY_STDIN = ["apply", "-", "--portal", "env:B24_TEST_HOOK", "--auto-approve", "--allow-delete"]
# 342 bytes: nine levels of nine aliases each, 9**9 strings if expanded.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
PLAN = ["plan", "bp.yaml", "--portal", "env:B24_TEST_HOOK"]


def yaml_case(name: str, text: str, *expect: str, args: list[str] | None = None) -> Case:
    return Case(name, {"bp.yaml": text}, args or APPLY, list(expect))


@dataclass
class Case:
    name: str
    files: dict[str, str]
    args: list[str]
    expect: list[str]
    """Fragments of the error line, in any order."""
    setup: Callable[[Any, Any], None] | None = None
    """Called with (emulator, run) before the command: run(args) invokes the CLI."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables to set; ``{url}`` is the emulator's base URL."""
    refused_write: str | None = None
    """The portal's own refusal is the point: the one write that reached it is this method, refused."""
    stdin: str | None = None
    """Text on standard input (for PATH ``-``)."""


def _with(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _add_deal(stage: str) -> Callable[[Any, Any], None]:
    def setup(emulator: Any, run: Any) -> None:
        by_hand(emulator, "crm.deal.add", {"fields": {"TITLE": "held", "CATEGORY_ID": 0, "STAGE_ID": stage}})

    return setup


def _field_with_a_value(emulator: Any, run: Any) -> None:
    """A string field OLD, and one deal holding a value in it."""
    by_hand(emulator, "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "OLD", "USER_TYPE_ID": "string"}})
    by_hand(emulator, "crm.deal.add", {"fields": {"TITLE": "held", "UF_CRM_OLD": "kept"}})


def _then(*setups: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def setup(emulator: Any, run: Any) -> None:
        for one in setups:
            one(emulator, run)

    return setup


def _broken_link(emulator: Any, run: Any) -> None:
    """A blueprint directory with one good part and a link to a part that is gone."""
    from pathlib import Path

    Path("bp").mkdir()
    Path("bp/main.yaml").write_text(GOOD, encoding="utf-8")
    Path("bp/extra.yaml").symlink_to("../gone.yaml")


def _large_directory(emulator: Any, run: Any) -> None:
    """A blueprint directory of three parts, each under the file limit, 6 MB together."""
    from pathlib import Path

    Path("bp").mkdir()
    for name in ("a", "b", "c"):
        Path(f"bp/{name}.yaml").write_text(f"# {'x' * 2_000_000}\n" + GOOD, encoding="utf-8")


def _limit(name: str, value: int) -> Callable[[Any, Any], None]:
    def setup(emulator: Any, run: Any) -> None:
        emulator.settings.limits = {name: value}

    return setup


def _saved_then(change: Callable[[Any], None]) -> Callable[[Any, Any], None]:
    """Save a plan of GOOD, then change the portal behind its back."""

    def setup(emulator: Any, run: Any) -> None:
        result = run(["plan", "bp.yaml", "--portal", "env:B24_TEST_HOOK", "--out", "saved.json"])
        assert result.exit_code == 0, result.stderr
        change(emulator)

    return setup


def _two_pipelines_named_alike(emulator: Any, run: Any) -> None:
    for _ in range(2):
        by_hand(emulator, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Продажи"}})


def _op(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The first op of a saved plan's document that is a ``name``."""
    op: dict[str, Any] = next(o for o in doc["plan"]["ops"] if o["op"] == name)
    return op


def _edit_saved(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any, Any], None]:
    def setup(emulator: Any, run: Any) -> None:
        result = run(["plan", "bp.yaml", "--portal", "env:B24_TEST_HOOK", "--out", "saved.json"])
        assert result.exit_code == 0, result.stderr
        from pathlib import Path

        doc = json.loads(Path("saved.json").read_text(encoding="utf-8"))
        edit(doc)
        Path("saved.json").write_text(json.dumps(doc), encoding="utf-8")

    return setup


APPLY_SAVED = [
    "apply",
    "--plan",
    "saved.json",
    "--portal",
    "env:B24_TEST_HOOK",
    "--auto-approve",
    "--allow-delete",
]

CASES: list[Case] = [
    # --- YAML syntax: file:line:col
    yaml_case("unclosed-flow-list", "pipelines: [\n", "bp.yaml:2:1", "YAML syntax error", "fix the YAML"),
    yaml_case("unclosed-quote", 'description: "half\n', "bp.yaml:", "YAML syntax error"),
    yaml_case("tab-indent", "pipelines:\n\t- key: sales\n", "bp.yaml:2:1", "YAML syntax error"),
    yaml_case("bad-indent", _with(GOOD, "    name: Продажи", "   name: Продажи"), "bp.yaml:3:", "YAML"),
    yaml_case("duplicate-key", "tariff: a\ntariff: b\n" + GOOD, "bp.yaml:2:1", "duplicate key 'tariff'"),
    yaml_case("undefined-alias", "description: *nothing\n" + GOOD, "bp.yaml:1:14", "YAML"),
    yaml_case("top-level-list", "- pipelines\n", "bp.yaml:1:1", "mapping"),
    yaml_case("empty-file", "# nothing here yet\n", "bp.yaml", "empty"),
    yaml_case("not-utf8", "description: caf\udce9\n", "bp.yaml", "UTF-8"),
    # --- untrusted blueprints (a pull request): bounded time and memory, nothing taken silently
    yaml_case(
        "billion-laughs", LAUGHS + GOOD, "bp.yaml:6:8", "aliases", "billion laughs", "write the values"
    ),
    yaml_case(
        "nesting-10000-flow",
        "description: " + "[" * 10_000 + "]" * 10_000 + "\n" + GOOD,
        "bp.yaml:1:",
        "nested deeper",
    ),
    yaml_case(
        "nesting-deep-block", "description:\n" + "- " * 10_000 + "x\n", "bp.yaml:2:99", "nested deeper"
    ),
    yaml_case("nul-byte", GOOD + "description: a\x00b\n", "bp.yaml:8:15", "NUL", "remove it"),
    yaml_case("control-character", GOOD + "description: a\x1bb\n", "bp.yaml:8:15", "U+001B"),
    yaml_case("unknown-tag-env", GOOD + "description: !env SECRET\n", "bp.yaml:8:14", "unknown tag '!env'"),
    yaml_case(
        "python-tag",
        GOOD + "description: !!python/object/apply:os.system [id]\n",
        "bp.yaml:8:14",
        "unknown tag '!!python/object/apply:os.system'",
    ),
    yaml_case(
        "bad-int-tag", _with(GOOD, "name: Продажи", "name: Продажи\n    sort: !!int ten"), "bp.yaml:4:11"
    ),
    yaml_case("second-document", GOOD + "---\n" + GOOD, "bp.yaml:8:1", "second YAML document"),
    yaml_case(
        "key-of-a-megabyte",
        GOOD + "? " + "x" * 1_000_000 + "\n: 1\n",
        "bp.yaml:8:3",
        "a mapping key of 1,000,000",
    ),
    yaml_case("list-as-key", GOOD + "? [a, b]\n: c\n", "bp.yaml:8:3", "a key is plain text"),
    yaml_case(
        "too-many-values",
        GOOD + "description: [" + "1," * 250_000 + "1]\n",
        "bp.yaml:8:",
        "more than 250,000 values",
    ),
    yaml_case("alias-to-itself", "description: &x [*x]\n" + GOOD, "bp.yaml:1:18", "no anchor"),
    yaml_case(
        "file-too-large", GOOD + "description: " + "x" * 5_000_001 + "\n", "bp.yaml", "larger than 5 MB"
    ),
    yaml_case(
        "variables-in-a-cycle",
        _with(GOOD, "name: Продажи", "name: ${a}") + "variables: {a: '${b}', b: '${a}'}\n",
        "bp.yaml:8:13",
        "a -> b -> a",
        "cycle",
    ),
    yaml_case(
        "variables-expand-exponentially",
        GOOD
        + "variables:\n"
        + "".join(f"  v{i}: '${{v{i + 1}}}${{v{i + 1}}}'\n" for i in range(18))
        + "  v18: xxxxxxxxxx\ndescription: ${v0}\n",
        "bp.yaml:",
        "expands to more than",
    ),
    yaml_case(
        "variables-wide-expansion",  # 5,000 variables of 100,000 characters each: 500 MB
        GOOD
        + "variables:\n  big: '"
        + "x" * 50_000
        + "'\n"
        + "".join(f"  v{i}: '${{big}}${{big}}'\n" for i in range(5_000)),
        "bp.yaml:",
        "more than 5,000,000 characters",
    ),
    yaml_case(
        "dollar-brace-flood",  # 20,000 unclosed "${": was quadratic (6 s) and one error each
        GOOD + 'description: "' + "${" * 20_000 + '"\n',
        "bp.yaml:8:14",
        "without a closing",
        "${${...",
    ),
    yaml_case(
        "removed-as-a-list", GOOD + "removed: [UF_CRM_X]\n", "bp.yaml:8:1", "removed: {fields: [CODE]}"
    ),
    yaml_case(
        "removed-field-with-prefix", GOOD + "removed:\n  fields: [UF_CRM_X]\n", "bp.yaml:9:12", "write 'X'"
    ),
    yaml_case(
        "removed-pipeline-by-key", GOOD + "removed:\n  pipelines: [sales]\n", "bp.yaml:9:15", "by its name"
    ),
    yaml_case(
        "field-code-with-prefix",
        GOOD + "fields:\n  - {code: UF_CRM_SIZE, type: string}\n",
        "bp.yaml:9:",
        "write 'SIZE'",
    ),
    Case(
        "broken-symlink-in-directory",
        {},
        ["apply", "bp", "--portal", "env:B24_TEST_HOOK", "--auto-approve"],
        ["bp/extra.yaml", "broken symbolic link"],
        setup=_broken_link,
    ),
    Case(
        "directory-too-large",
        {},
        ["apply", "bp", "--portal", "env:B24_TEST_HOOK", "--auto-approve"],
        ["Error: bp:", "more than 5 MB together"],
        setup=_large_directory,
    ),
    Case(
        "stdin-syntax-error", {}, [*APPLY_STDIN], ["<stdin>:2:1", "YAML syntax error"], stdin="pipelines: [\n"
    ),
    Case(
        "stdin-schema-error",
        {},
        [*APPLY_STDIN],
        ["<stdin>:5:", "'new'"],
        stdin=_with(GOOD, "code: NEW", "code: new"),
    ),
    # --- schema: the model says no, at the value's position
    yaml_case("unknown-top-key", "pipelinez: []\n", "bp.yaml:1:1", "did you mean 'pipelines'"),
    yaml_case(
        "unknown-stage-key", _with(GOOD, "name: Новая}", "name: Новая, colour: red}"), "bp.yaml:5:", "colour"
    ),
    yaml_case("stage-code-lowercase", _with(GOOD, "code: NEW", "code: new"), "bp.yaml:5:", "'new'"),
    yaml_case("stage-code-too-long", _with(GOOD, "code: NEW", "code: " + "N" * 19), "bp.yaml:5:", "code"),
    yaml_case(
        "semantics-unknown", _with(GOOD, "semantics: success", "semantics: won"), "bp.yaml:6:", "semantics"
    ),
    yaml_case(
        "colour-not-hex", _with(GOOD, "name: Новая}", "name: Новая, color: red}"), "bp.yaml:5:", "color"
    ),
    yaml_case(
        "no-stages", "pipelines:\n  - key: sales\n    name: Продажи\n    stages: []\n", "bp.yaml:4:", "stages"
    ),
    yaml_case("pipeline-key-invalid", _with(GOOD, "key: sales", "key: Sales Team"), "bp.yaml:2:", "key"),
    yaml_case("version-2", "version: 2\n" + GOOD, "bp.yaml:1:10", "version"),
    yaml_case("negative-sort", _with(GOOD, "name: Новая}", "name: Новая, sort: -5}"), "bp.yaml:5:", "sort"),
    yaml_case("field-type-unknown", GOOD + "fields:\n  - {code: SIZE, type: text}\n", "bp.yaml:9:", "type"),
    yaml_case(
        "field-code-lowercase", GOOD + "fields:\n  - {code: size, type: string}\n", "bp.yaml:9:", "'size'"
    ),
    yaml_case(
        "field-code-too-long-for-portal",
        GOOD + "fields:\n  - {code: " + "A" * 44 + ", type: string}\n",
        "bp.yaml:9:",
        "code",
    ),
    yaml_case(
        "enumeration-without-items",
        GOOD + "fields:\n  - {code: SIZE, type: enumeration, items: []}\n",
        "bp.yaml:9:",
    ),
    yaml_case(
        "multiple-not-bool", GOOD + "fields:\n  - {code: SIZE, type: string, multiple: often}\n", "bp.yaml:9:"
    ),
    yaml_case("name-empty", _with(GOOD, "name: Новая}", "name: ''}"), "bp.yaml:5:", "name"),
    # --- references and consistency
    yaml_case(
        "duplicate-stage-code",
        _with(GOOD, "      - {code: WON", "      - {code: NEW, name: Снова}\n      - {code: WON"),
        "bp.yaml:",
        "NEW",
    ),
    yaml_case(
        "duplicate-pipeline-key",
        GOOD + GOOD.removeprefix("pipelines:\n").replace("Продажи", "Другие"),
        "bp.yaml:",
        "sales",
    ),
    yaml_case(
        "duplicate-field-code",
        GOOD + "fields:\n  - {code: SIZE, type: string}\n  - {code: SIZE, type: integer}\n",
        "bp.yaml:",
        "SIZE",
    ),
    yaml_case(
        "two-default-pipelines",
        "pipelines:\n"
        + DEFAULT_AS_IS
        + DEFAULT_AS_IS.replace("key: general", "key: other").replace("Общее", "Другое"),
        "bp.yaml:",
        "default",
    ),
    yaml_case(
        "robot-to-unknown-pipeline",
        _with(
            GOOD,
            "semantics: success}",
            "semantics: success, robots: [{type: copy_deal, to_pipeline: nowhere}]}",
        ),
        "bp.yaml:6:",
        "nowhere",
    ),
    yaml_case(
        "robot-to-unknown-stage",
        _with(
            GOOD, "semantics: success}", "semantics: success, robots: [{type: change_stage, stage: NOPE}]}"
        ),
        "bp.yaml:6:",
        "NOPE",
    ),
    yaml_case(
        "robot-stores-in-unknown-field",
        _with(
            GOOD,
            "semantics: success}",
            "semantics: success, robots: [{type: create_task, task_title: Call, store_id_in: MISSING}]}",
        ),
        "bp.yaml:6:",
        "MISSING",
    ),
    yaml_case(
        "enum-duplicate-xml-id",
        GOOD + ENUM_TWICE,
        "bp.yaml:",
        "'a'",
    ),
    yaml_case(
        "removed-twice",
        GOOD + "removed:\n  lead_statuses: [PROCESSED]\n  lead:\n    statuses: [PROCESSED]\n",
        "bp.yaml:11:16",
        "'PROCESSED' is named twice (first at line 9",
        "remove one of the two",
    ),
    yaml_case("undeclared-variable", _with(GOOD, "name: Продажи", "name: ${team}"), "bp.yaml:3:", "team"),
    Case("var-option-malformed", {"bp.yaml": GOOD}, [*PLAN, "--var", "team"], ["--var", "NAME=VALUE"]),
    Case(
        "values-file-missing",
        {"bp.yaml": GOOD},
        [*PLAN, "--values", "values/production.yaml"],
        ["values/production.yaml"],
    ),
    Case(
        "values-file-broken",
        {"bp.yaml": GOOD, "v.yaml": "team: [\n"},
        [*PLAN, "--values", "v.yaml"],
        ["v.yaml:2:1"],
    ),
    Case(
        "blueprint-path-missing",
        {},
        ["plan", "nowhere.yaml", "--portal", "env:B24_TEST_HOOK"],
        ["nowhere.yaml"],
    ),
    # --- the tool's own configuration
    Case(
        "unknown-portal-profile", {"bp.yaml": GOOD}, ["plan", "bp.yaml", "--portal", "staging"], ["staging"]
    ),
    Case(
        "env-var-missing",
        {"bp.yaml": GOOD},
        ["plan", "bp.yaml", "--portal", "env:B24_NOT_SET"],
        ["B24_NOT_SET", "set"],
    ),
    Case(
        "env-var-not-a-webhook",
        {"bp.yaml": GOOD},
        ["plan", "bp.yaml", "--portal", "env:B24_BAD_HOOK"],
        ["B24_BAD_HOOK"],
        env={"B24_BAD_HOOK": "not a url at all"},
    ),
    Case("plan-format-unknown", {"bp.yaml": GOOD}, [*PLAN, "--format", "yaml"], ["yaml"]),
    Case(
        "apply-without-approval",
        {"bp.yaml": GOOD},
        ["apply", "bp.yaml", "--portal", "env:B24_TEST_HOOK"],
        ["--auto-approve"],
    ),
    Case(
        "delete-losing-data-without-allow-delete",
        {"bp.yaml": "pipelines:\n" + DEFAULT_AS_IS + "removed: {fields: [OLD]}\n"},
        ["apply", "bp.yaml", "--portal", "env:B24_TEST_HOOK", "--auto-approve"],
        ["delete field deal:field/OLD", "1 deal holds a value", "--allow-delete"],
        setup=_field_with_a_value,
    ),
    # --- the portal
    Case(
        "webhook-wrong-token",
        {"bp.yaml": GOOD},
        ["apply", "bp.yaml", "--portal", "env:B24_WRONG_HOOK", "--auto-approve"],
        ["batch", "INVALID_CREDENTIALS"],
        env={"B24_WRONG_HOOK": "{url}/rest/1/wrongTOKEN000/"},
    ),
    Case(
        "portal-unreachable",
        {"bp.yaml": GOOD},
        ["apply", "bp.yaml", "--portal", "env:B24_DEAD_HOOK", "--auto-approve"],
        ["cannot reach", "127.0.0.1:9"],
        env={"B24_DEAD_HOOK": "http://127.0.0.1:9/rest/1/abcdef123456/"},
    ),
    Case(
        "webhook-bad-port",
        {"bp.yaml": GOOD},
        ["plan", "bp.yaml", "--portal", "env:B24_BAD_HOOK"],
        ["environment variable B24_BAD_HOOK", "port that is not a number from 1 to 65535", "copy it again"],
        env={"B24_BAD_HOOK": "https://acme.bitrix24.ru:99999/rest/1/abcdef123456/"},
    ),
    Case(
        "webhook-ipv6-unclosed",
        {"bp.yaml": GOOD},
        ["plan", "bp.yaml", "--portal", "env:B24_BAD_HOOK"],
        ["environment variable B24_BAD_HOOK", "malformed IPv6 address", "copy it again"],
        env={"B24_BAD_HOOK": "http://[::1:8080/rest/1/abcdef123456/"},
    ),
    Case(
        "webhook-control-character",
        {"bp.yaml": GOOD},
        ["plan", "bp.yaml", "--portal", "env:B24_BAD_HOOK"],
        ["environment variable B24_BAD_HOOK", "holds a control character (at position 38)", "copy it again"],
        env={"B24_BAD_HOOK": "https://acme.bitrix24.ru/rest/1/abcde\x7ff123456/"},
    ),
    # --- output files
    Case(
        "plan-out-exists",
        {"bp.yaml": GOOD, "saved.json": "{}\n"},
        ["plan", "bp.yaml", "--portal", "env:B24_TEST_HOOK", "--out", "saved.json"],
        ["saved.json exists and was not overwritten", "pass --force"],
    ),
    Case(
        "graph-out-directory",
        {"bp.yaml": GOOD},
        ["graph", "bp.yaml", "--out", "."],
        ["cannot write .: it is a directory", "give a file name"],
    ),
    Case(
        "stage-delete-holds-deals",
        {
            "bp.yaml": "pipelines:\n"
            + _with(DEFAULT_AS_IS, "      - {code: PREPARATION, name: Подготовка документов}\n", "")
        },
        APPLY,
        ["PREPARATION", "1 deal", "move those deals"],
        setup=_add_deal("PREPARATION"),
    ),
    Case(
        "two-portal-pipelines-named-alike",
        {"bp.yaml": GOOD},
        APPLY,
        ["2 pipelines named 'Продажи'", "rename one"],
        setup=_two_pipelines_named_alike,
    ),
    Case(
        "more-pipelines-than-the-plan-allows",
        {"bp.yaml": "pipelines:\n" + DEFAULT_AS_IS + GOOD.removeprefix("pipelines:\n")},
        APPLY,
        ["crm.category.add", "maximum number of deal pipelines", "ADDING_DISABLED"],
        setup=_limit("crm_deal_category_limit", 1),
        refused_write="crm.category.add",
    ),
    Case(
        "more-fields-than-the-plan-allows",
        {"bp.yaml": "pipelines:\n" + DEFAULT_AS_IS + "fields:\n  - {code: SIZE, type: string}\n"},
        APPLY,
        ["crm.deal.userfield.add", "maximum number of custom fields"],
        setup=_limit("crm_user_field_limit", 0),
        refused_write="crm.deal.userfield.add",
    ),
    Case(
        "saved-plan-missing",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["saved.json", "cannot read the plan", "plan --out"],
    ),
    Case(
        "saved-plan-not-json",
        {"bp.yaml": GOOD, "saved.json": "{ this is not json"},
        APPLY_SAVED,
        ["saved.json:1:3", "not a saved plan", "plan --out"],
    ),
    Case(
        "saved-plan-truncated",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["saved.json", "damaged", "plan --out"],
        setup=_edit_saved(lambda doc: doc["plan"]["ops"][0].pop("pipeline")),
    ),
    Case(
        "saved-plan-without-ops",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["saved.json", "damaged", "plan --out"],
        setup=_edit_saved(lambda doc: doc["plan"].pop("ops")),
    ),
    Case(
        "saved-plan-without-fingerprint",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["saved.json", "live_fingerprint", "plan --out"],
        setup=_edit_saved(lambda doc: doc["plan"].pop("live_fingerprint")),
    ),
    Case(
        "saved-plan-from-the-future",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["saved.json", "newer b24provision"],
        setup=_edit_saved(lambda doc: doc.update(format_version=99)),
    ),
    # A saved plan is data, not trust: apply re-takes every safety fact from the portal.
    Case(
        "saved-plan-deal-count-edited",
        {
            "bp.yaml": "pipelines:\n"
            + _with(DEFAULT_AS_IS, "      - {code: PREPARATION, name: Подготовка документов}\n", "")
        },
        APPLY_SAVED,
        ["stage deal:general/PREPARATION", "the plan says it destroys nothing", "holds 1 deal", "edited"],
        setup=_then(
            _add_deal("PREPARATION"),
            _edit_saved(lambda doc: _op(doc, "DeleteStageOp").update(blocked_by_deals=0)),
        ),
    ),
    Case(
        "saved-plan-field-values-edited",
        {"bp.yaml": "pipelines:\n" + DEFAULT_AS_IS + "removed: {fields: [OLD]}\n"},
        APPLY_SAVED[:-1],  # without --allow-delete
        ["field deal:field/OLD", "the plan says it destroys nothing", "1 deal holds a value", "edited"],
        setup=_then(
            _field_with_a_value,
            _edit_saved(lambda doc: _op(doc, "DeleteFieldOp").update(deals_with_value=0)),
        ),
    ),
    Case(
        "saved-plan-needs-app-edited-away",
        {"bp.yaml": "app_robots: [{code: notify, name: Notify, handler: 'https://app.example.com/h'}]\n"},
        APPLY_SAVED,
        ["app_robot notify", "OAuth application"],
        setup=_edit_saved(
            lambda doc: doc["plan"].update(
                ops=[
                    {
                        "op": "CreateAppRobotOp",
                        "robot": {"code": "notify", "name": "Notify", "handler": "https://app.example.com/h"},
                    }
                ]
            )
        ),
    ),
    Case(
        "saved-plan-stale",
        {"bp.yaml": GOOD},
        APPLY_SAVED,
        ["changed since this plan was made", "b24provision plan"],
        setup=_saved_then(
            lambda em: by_hand(
                em, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Новая воронка"}}
            )
        ),
    ),
]
