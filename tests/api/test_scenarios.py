"""POST /v1/scenarios: a what-if scenario as a job, polled, fetched, reported and
cancelled at /v1/jobs/{id} (TestClient, real worker processes)."""

from __future__ import annotations

import copy
import os
from typing import Any

from fastapi.testclient import TestClient

from api.models import ScenarioResultOut
from dispatch_opt.io import plan_from_dict
from dispatch_opt.validate import format_report, validate_plan
from dispatch_opt.whatif import parse_scenario
from tests.api.conftest import EXAMPLE, tiny_problem, wait_job, wait_until
from tests.api.test_solve import HOSTILE_BODIES


def scenario(base: dict[str, Any]) -> dict[str, Any]:
    """Two variants of `base`: a technician off sick, and overtime for another."""
    return {
        "name": "sick day",
        "base": base,
        "variants": [
            {
                "name": "T01 sick",
                "changes": [{"kind": "remove_technicians", "technicians": ["T01"]}],
            },
            {
                "name": "T02 overtime",
                "changes": [
                    {"kind": "change_shifts", "technicians": ["T02"], "overtime_max_min": 60}
                ],
            },
        ],
    }


def _submit(client: TestClient, doc: dict[str, Any]) -> str:
    """POST a scenario; check 202, Location and the job's kind; return the id."""
    resp = client.post("/v1/scenarios", json=doc)
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert resp.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["kind"] == "scenario" and job["state"] in ("queued", "running")
    assert job["links"]["plan"] is None and job["links"]["result"].endswith("/result")
    return job["id"]


def test_scenario_job_compares_every_variant_with_the_base(client: TestClient) -> None:
    doc = scenario(tiny_problem(0.5, deterministic=True))
    job_id = _submit(client, doc)
    done = wait_job(client, job_id)
    assert done["state"] == "done", done
    assert done["progress"]["solves_done"] == done["progress"]["solves_total"] == 3

    result = client.get(f"/v1/jobs/{job_id}/result").json()
    ScenarioResultOut.model_validate(result)  # what the OpenAPI promises
    assert result["ok"] is True and result["deterministic"] is True
    assert [v["name"] for v in result["variants"]] == ["T01 sick", "T02 overtime"]
    sick = result["variants"][0]
    assert sick["changes"] == ["remove technicians T01"]
    assert set(sick["deltas"]) >= {"served", "travel_km", "weighted_served"}
    hands = sick["tickets_changed_hands"]
    assert sick["churn"]["churn"] == len(hands) > 0  # no ticket added: every change is churn
    assert any(c["before"] == "T01" for c in hands)  # T01's tickets went elsewhere or unserved
    spec = parse_scenario(doc)
    problems = {"base": spec.base} | {v.name: v.problem for v in spec.variants}
    for outcome in (result["base"], *result["variants"]):
        report = validate_plan(problems[outcome["name"]], plan_from_dict(outcome["plan"]))
        assert report.ok, format_report(report)

    plan = client.get(f"/v1/jobs/{job_id}/plan")
    assert plan.status_code == 409 and plan.json()["code"] == "not_a_plan_job"
    assert plan.json()["result_url"] == f"/v1/jobs/{job_id}/result"
    page = client.get(f"/v1/jobs/{job_id}/report")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "T01 sick" in page.text and "T02 overtime" in page.text
    assert client.delete(f"/v1/jobs/{job_id}").json()["code"] == "job_finished"


def test_a_base_given_as_a_path_is_refused(client: TestClient) -> None:
    doc = scenario("../../etc/passwd")
    resp = client.post("/v1/scenarios", json=doc)
    assert resp.status_code == 422
    assert [e["path"] for e in resp.json()["errors"]] == ["base"]
    assert "inline" in resp.json()["errors"][0]["rule"]
    assert client.app.state.store.counts()["queued"] == 0  # nothing stored


def test_scenario_errors_name_the_change(client: TestClient) -> None:
    doc = scenario(copy.deepcopy(EXAMPLE))
    doc["variants"][0]["changes"][0]["technicians"] = ["T99"]
    doc["variants"][1]["changes"].append({"kind": "paint_vans"})
    doc["base"]["tickets"][0]["priority"] = "asap"
    resp = client.post("/v1/scenarios", json=doc)
    assert resp.status_code == 422
    paths = {e["path"] for e in resp.json()["errors"]}
    assert "base.tickets[0].priority" in paths
    doc["base"]["tickets"][0]["priority"] = "high"
    paths = {e["path"] for e in client.post("/v1/scenarios", json=doc).json()["errors"]}
    assert {"variants[0].changes[0].technicians[0]", "variants[1].changes[1].kind"} <= paths


def _group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(name))
    return found


def test_cancelling_a_scenario_kills_its_pool_of_solvers(client_factory) -> None:
    client = client_factory(workers=1, solve_workers=2)  # two solves at once: a pool
    job_id = _submit(client, scenario(tiny_problem(3.0)))
    runner = client.app.state.runner
    pid = wait_until(lambda: runner.running_pids().get(job_id), "the scenario to run")
    wait_until(lambda: len(_group(pid)) >= 3, "the pool's solver processes to start")
    resp = client.delete(f"/v1/jobs/{job_id}")
    assert resp.status_code == 200 and resp.json()["state"] == "cancelled"
    wait_until(lambda: not _group(pid), "every process of the scenario to be killed")
    assert client.get(f"/v1/jobs/{job_id}/result").json()["code"] == "job_not_done"


def test_hostile_bodies_never_give_500_on_the_new_verbs(client: TestClient) -> None:
    for body in HOSTILE_BODIES:
        for path in ("/v1/replan", "/v1/slots", "/v1/scenarios"):
            resp = client.post(path, content=body, headers={"content-type": "application/json"})
            assert resp.status_code == 422, (path, body[:60], resp.text[:300])
            assert resp.json()["code"] == "invalid_input"


def test_openapi_documents_the_new_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("ReplanRequest", "SlotsRequest", "ScenarioRequest", "ScenarioResultOut"):
        assert name in schemas
    events = schemas["ReplanRequest"]["properties"]["events"]["items"]
    assert set(events["discriminator"]["mapping"]) == {
        "urgent_ticket",
        "job_overran",
        "technician_unavailable",
        "part_not_delivered",
    }
    for path, model in (
        ("/v1/replan", "ReplanRequest"),
        ("/v1/slots", "SlotsRequest"),
        ("/v1/scenarios", "ScenarioRequest"),
    ):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{model}"}
