"""deepfake_ethics.lms: an LMS login becomes the hub user, Unix account and nbgrader id;
the launch's roles say who grades. (The live hub test is tests/test_hub_lti.py.)"""

from __future__ import annotations

import pytest

from deepfake_ethics.lms import (
    CUSTOM_CLAIM,
    INSTRUCTOR,
    ROLES_CLAIM,
    NotACourseName,
    is_instructor,
    launch_name,
    login_name,
)
from deepfake_ethics.nbgrader_plugins.names import problem

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


@pytest.mark.parametrize("login, name", [("jdoe", "jdoe"), ("JDoe", "jdoe"),
                                         (" s1234567 ", "s1234567"), ("_x-y_1", "_x-y_1")])
def test_a_login_becomes_a_lower_case_name_that_is_a_safe_student_id(login, name):
    assert login_name(login) == name
    assert problem(name) is None


@pytest.mark.parametrize("login, reason", [
    ("", "is empty"),
    ("jane doe", "not a Unix account name"),
    ("jane.doe@example.edu", "not a Unix account name"),
    ("1234", "not a Unix account name"),
    ("-rf", "starts with '-'"),
    ("../grader", "path separator"),
    ("a,b", "','"),
    ("x" * 33, "at most 32"),
])
def test_a_login_that_cannot_be_an_account_or_an_id_is_refused_with_the_reason(login, reason):
    with pytest.raises(NotACourseName, match="the LMS login") as error:
        login_name(login)
    assert reason in str(error.value)


def test_the_launch_name_is_the_username_custom_parameter():
    assert launch_name({CUSTOM_CLAIM: {"username": "Ada"}, "sub": "42"}) == "ada"


@pytest.mark.parametrize("custom", [{}, {"username": ""}, {"username": "$User.username"},
                                    {"username": 7}])
def test_a_launch_without_a_login_name_says_which_custom_parameter_to_add(custom):
    with pytest.raises(NotACourseName, match=r"username=\$User.username"):
        launch_name({CUSTOM_CLAIM: custom, "sub": "42"})


@pytest.mark.parametrize("roles, grades", [
    ([LEARNER], False),
    ([INSTRUCTOR], True),
    ([LEARNER, INSTRUCTOR], True),
    ([TA], True),
    (["Instructor"], True),
    ([ADMIN], False),
    ([], False),
    ([None, 3], False),
])
def test_instructors_and_their_sub_roles_grade_and_nobody_else(roles, grades):
    assert is_instructor({ROLES_CLAIM: roles}) is grades
    assert is_instructor({}) is False
