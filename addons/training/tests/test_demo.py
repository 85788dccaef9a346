"""The demo data installs with masterdata's and competency's for 贵研催化 and is consistent: the gap
needs are exactly the gaps of the calibrated 2026-H1 assessments, the ratings are the feedback
averages, the open session takes enrolments, and a kmtrade user sees nothing of it."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.testing import make_env, tixi_db  # noqa: F401


@pytest.fixture
def fast_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the demo files the fast way, for this test only (profiled: the install took ~50 s per engine).

    * the demo users' passwords: Argon2 made each of the 24 demo users cost ~0.3-1.2 s (the largest
      single cost); the same password is hashed once here and the hash reused (salted once; the
      test never compares users' hashes, and logging in still verifies it);
    * the demo YAML files: parsed with libyaml's C loader (same safe subset) instead of the pure-Python
      scanner, which was the second largest cost (~35 % of the install).
    """
    import yaml

    from core import data
    from core.security.passwords import hash_password

    hashes: dict[str, str] = {}

    def cached_hash(password: str) -> str:
        if password not in hashes:
            hashes[password] = hash_password(password)
        return hashes[password]

    monkeypatch.setattr(data, "hash_password", cached_hash)
    if getattr(yaml, "__with_libyaml__", False):
        monkeypatch.setattr(yaml, "safe_load", lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader))


def test_demo_training_is_consistent(tixi_db, fast_loading):  # noqa: F811
    from addons.masterdata.models import Employee
    from addons.training import services as svc
    from addons.training.models import (
        Course,
        Enrolment,
        Feedback,
        Lecturer,
        Need,
        Session,
        TrainingPlan,
    )
    from core.models import User

    t0 = time.perf_counter()
    tixi_db.install("masterdata", "competency", "training", companies=["guiyan", "kmtrade"], demo=True)
    assert time.perf_counter() - t0 < 120
    with tixi_db.session() as s:
        def env_of(login: str, company: str = "guiyan"):
            return make_env(tixi_db, s, s.scalar(select(User.id).where(User.login == login)), company)

        hr = env_of("zhou_ops")
        # the stored gap needs are what compute_needs finds in competency's demo (nothing to add)
        assert svc.compute_needs(hr, "2026-H1") == {"created": 0, "updated": 0, "closed": 0,
                                                    "people": len({n.employee_id for n in hr.search(
                                                        Need, Need.source == "gap")})}
        assert hr.count(Need, Need.state == "trained") > 5
        assert hr.count(Need, Need.state == "open") > 0
        plan = hr.search(TrainingPlan)[0]
        assert plan.state == "approved"
        assert plan.total_cost <= plan.budget
        # ratings: the averages of the feedback
        for course in hr.search(Course, Course.rating_count > 0):
            got = s.execute(select(func.count(Feedback.id), func.sum(Feedback.course_rating)).join(
                Session, Session.id == Feedback.session_id).where(Session.course_id == course.id)).one()
            assert course.rating_count == got[0]
            assert course.rating == (Decimal(got[1]) / got[0]).quantize(Decimal("0.01"))
        assert all(lec.rating is not None for lec in hr.search(Lecturer))
        # a salesperson sees their own record; enrols on the open session
        wang = env_of("wangwei")
        me = s.scalar(select(Employee).where(Employee.user_id == wang.user_id))
        assert {e.employee_id for e in wang.search(Enrolment)} <= {me.id}
        open_session = hr.search(Session, Session.state == "scheduled")[0]
        e = svc.enrol(wang, open_session.id, now=open_session.starts_at.replace(month=12, day=1))
        assert e.state == "enrolled"
        from core.measures import measure_value, total

        assert total(measure_value(hr, "training.attendance")) > 10
        # kmtrade sees nothing of guiyan's training
        km = env_of("km_ops", "kmtrade")
        assert km.count(Session) == 0
        assert km.count(Need) == 0
        assert km.count(Course) == 0
        assert total(measure_value(km, "training.attendance")) == 0
    # the demo users still log in with the demo password (the shared hash verifies)
    from core.security.passwords import verify_password

    with tixi_db.session() as s:
        assert verify_password(s.scalar(select(User.password_hash).where(User.login == "wangwei")), "tixi-demo-1")
