"""People: the identity (the operating system's user), publisher.toml's [approval] and
[people] tables, and ``publisher whoami``."""

from __future__ import annotations

import ast
import json
import os
import pwd
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_process
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.errors import UserError
from publisher.domain.people import People, Roles, parse_people
from publisher.services.people import login_name, roles_of

ME = pwd.getpwuid(os.getuid()).pw_name


def nowhere(*keys: str) -> str:
    return "publisher.toml"


def add_settings(home: Path, text: str) -> None:
    path = home / "publisher.toml"
    path.write_text(path.read_text() + "\n" + text)


# --- identity ------------------------------------------------------------------------

def test_the_identity_is_the_systems_user_not_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "somebody-else")
    monkeypatch.setenv("USER", "somebody-else")
    assert login_name() == ME


def test_one_function_says_who_is_acting() -> None:
    """No module but services/people.py asks the system for the user."""
    askers = []
    for path in (ROOT / "publisher").rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Attribute) and node.attr == "getpwuid"
               for node in ast.walk(tree)):
            askers.append(path.relative_to(ROOT).as_posix())
    assert askers == ["publisher/services/people.py"]


# --- the tables ----------------------------------------------------------------------

TEAM = {"steps": ["desk", "spokesperson"], "self_approval": False}
STAFF = {"desk": ["arta", "ilir"], "spokesperson": ["drita"],
         "translators": {"sr": ["marko"], "sr-Latn": ["marko", "arta"]}}


def test_without_the_tables_there_is_one_step_anyone_may_take() -> None:
    people = parse_people(None, None, nowhere)
    assert people == People() and not people.has_steps and people.self_approval
    assert people.roles_of("anyone") == Roles()


def test_the_issues_example_is_read() -> None:
    people = parse_people(TEAM, STAFF, nowhere)
    assert people.steps == ("desk", "spokesperson") and people.self_approval is False
    assert roles_of(people, "arta") == Roles(("desk",), ("sr-Latn",))
    assert roles_of(people, "drita") == Roles(("spokesperson",), ())
    assert roles_of(people, "marko") == Roles((), ("sr", "sr-Latn"))


def test_self_approval_is_refused_by_default_once_steps_are_set() -> None:
    people = parse_people({"steps": ["desk"]}, {"desk": ["arta"]}, nowhere)
    assert people.self_approval is False
    assert parse_people(None, {"translators": {"sq": ["a"]}}, nowhere).self_approval


@pytest.mark.parametrize(("approval", "people", "says"), [
    ({"steps": ["desk"]}, {}, "nobody may approve the step 'desk'"),
    ({"steps": ["desk"]}, {"dsk": ["a"]}, "'dsk' is not an approval step"),
    (None, {"desk": ["a"]}, "'desk' is not an approval step"),
    ({"steps": ["desk", "desk"]}, {"desk": ["a"]}, "step 'desk' is listed twice"),
    ({"steps": "desk"}, {"desk": ["a"]}, "steps must be a list of names in quotes"),
    ({"steps": ["Desk Officer"]}, {}, "'Desk Officer' is not a step name"),
    ({"steps": ["translators"]}, {}, "'translators' is not a step name"),
    ({"steps": []}, {}, "[approval] names no steps"),
    ({"steps": ["desk"], "self_approval": "no"}, {"desk": ["a"]},
     "self_approval must be true or false"),
    ({"steps": ["desk"], "selfapproval": False}, {"desk": ["a"]},
     "unknown setting 'approval.selfapproval'"),
    ({"steps": ["desk"]}, {"desk": "arta"}, "desk must be a list of user names"),
    ({"steps": ["desk"]}, {"desk": []}, "desk names nobody"),
    ({"steps": ["desk"]}, {"desk": ["arta", "arta"]}, "'arta' is listed twice"),
    ({"steps": ["desk"]}, {"desk": ["ar ta"]}, "'ar ta' is not a user name"),
    (None, {"translators": {"de": ["a"]}}, "unknown locale 'de'"),
    (None, {"translators": {"sr": ["a"], "SR": ["b"]}}, "locale sr is listed twice"),
    (None, {"translators": ["a"]}, "[people.translators] must be a table"),
    ("desk", None, "[approval] must be a table"),
])
def test_mistakes_are_one_line_errors(approval: object, people: object, says: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_people(approval, people, nowhere)
    assert says in str(raised.value) and "\n" not in str(raised.value)


LOGINS = st.from_regex(r"[a-z_][a-z0-9_-]{0,15}", fullmatch=True)
STEPS = st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
                 .filter(lambda step: step != "translators"), min_size=1, max_size=4, unique=True)


@given(STEPS.flatmap(lambda steps: st.tuples(
    st.just(steps),
    st.fixed_dictionaries({step: st.lists(LOGINS, min_size=1, max_size=4, unique=True)
                           for step in steps}),
    st.booleans())))
def test_valid_tables_give_back_every_step_and_login(case: tuple) -> None:
    steps, approvers, self_approval = case
    people = parse_people({"steps": steps, "self_approval": self_approval}, approvers, nowhere)
    assert people.steps == tuple(steps) and people.self_approval is self_approval
    for step, logins in approvers.items():
        for login in logins:
            assert step in people.roles_of(login).steps


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)


@given(TOML_VALUES, TOML_VALUES)
def test_any_table_is_read_or_refused_in_one_line(approval: object, people: object) -> None:
    try:
        parsed = parse_people(approval, people, nowhere)
    except UserError as error:
        assert "\n" not in str(error)
    else:
        assert all(step in parsed.approvers for step in parsed.steps)


# --- publisher.toml and whoami -------------------------------------------------------

def test_whoami_without_the_tables(home: Path) -> None:
    result = run_cli("--home", str(home), "whoami", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"login": ME, "steps": [], "languages": [],
                                      "approval_steps": [], "self_approval": True}
    text = run_cli("--home", str(home), "whoami")
    assert text.out.splitlines()[0] == ME and "anyone may take" in text.out


def test_whoami_lists_the_roles_publisher_toml_gives(home: Path) -> None:
    add_settings(home, f"""
[approval]
steps = ["desk", "spokesperson"]

[people]
desk = ["arta", "{ME}"]
spokesperson = ["drita"]
translators.sr = ["marko", "{ME}"]
""")
    result = run_cli("--home", str(home), "whoami", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "login": ME, "steps": ["desk"], "languages": ["sr"],
        "approval_steps": ["desk", "spokesperson"], "self_approval": False}
    text = run_cli("--home", str(home), "whoami").out
    assert "approves: desk" in text and "translates: sr" in text


def test_whoami_cannot_be_told_another_name(home: Path) -> None:
    """A real process with LOGNAME and USER set: still the system's user."""
    result = run_process("--home", str(home), "whoami", "--json",
                         env={"LOGNAME": "drita", "USER": "drita", "PYTHONPATH": str(ROOT)})
    assert result.code == 0, result.err
    assert json.loads(result.out)["login"] == ME


def test_a_mistake_in_the_tables_names_the_line_and_exits_2(home: Path) -> None:
    add_settings(home, """
[approval]
steps = ["desk"]

[people]
dsk = ["arta"]
""")
    line = (home / "publisher.toml").read_text().splitlines().index('dsk = ["arta"]') + 1
    result = run_cli("--home", str(home), "whoami")
    assert result.code == 2 and result.out == ""
    assert result.err == (
        f"publisher: error: publisher.toml:{line}: "
        "'dsk' is not an approval step (name a step of [approval] steps (desk) or "
        "'translators')\n")


def test_other_commands_read_the_tables_too(home: Path) -> None:
    add_settings(home, "[approval]\nsteps = [\"desk\"]\n")
    result = run_cli("--home", str(home), "drafts", "list")
    assert result.code == 2 and "nobody may approve the step 'desk'" in result.err
