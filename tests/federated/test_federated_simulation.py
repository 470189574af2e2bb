"""``prrt-rwe federate --simulate`` on a small three-site registry: the Flower runtime and the
plain in-process one give the same bytes; a strict network suppresses and names what it
withholds; the CLI's errors."""

import json

from typer.testing import CliRunner

from prrt_rwe.cli import app
from prrt_rwe.federated.network import NetworkConfig
from prrt_rwe.federated.study import simulate


def test_flower_messages_and_direct_calls_give_the_same_bytes(three_sites, three_sites_simulated, tmp_path):
    simulate(three_sites, tmp_path / "flower", network=NetworkConfig(min_cell=1), runtime="flower")
    assert (tmp_path / "flower" / "results.json").read_bytes() == (three_sites_simulated / "results.json").read_bytes()
    assert sorted(p.name for p in (tmp_path / "flower" / "audit").iterdir()) == ["S01.jsonl", "S02.jsonl", "S03.jsonl"]


def test_a_strict_network_withholds_and_says_so(three_sites, tmp_path):
    out = tmp_path / "strict"
    results = simulate(three_sites, out, network=NetworkConfig(min_cell=10, time_unit="month")).results
    fed = results["federation"]
    assert (fed["min_cell"], fed["time_unit"]) == (10, "month")
    suppressed = {s["key"]: s for s in fed["suppressed"]}
    assert all(site in ("S01", "S02", "S03") for s in suppressed.values() for site in s["sites"])
    # S02 has 3 patients excluded for a missing covariate: its analysis sets are not released,
    # so no total can give that count back
    sets = results["analysis_sets"]
    assert sets["enrolled"] is None and sets["efficacy"] is None and sets["excluded"][2]["n"] is None
    assert suppressed["analysis_sets.enrolled"]["sites"] == ["S02"]
    # a response count under 10 at every site, and PFS times that S01 cannot pool
    assert results["response"]["bor_counts"]["PR"] is None and results["response"]["orr"]["estimate"] is None
    assert results["pfs"]["median_months"] is None and "S01" in suppressed["pfs"]["sites"]
    assert "under min_cell 10" in suppressed["pfs"]["reason"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Suppressed under min_cell 10" in html and "rounded up to whole months" in html


def test_cli_simulate_and_its_errors(three_sites, tmp_path):
    net = tmp_path / "network.toml"
    net.write_text("min_cell = 1\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["federate", "--simulate", str(three_sites), "--network", str(net),
                             "--out", str(tmp_path / "out")])
    assert ok.exit_code == 0, ok.output
    assert json.loads((tmp_path / "out" / "results.json").read_text())["mode"] == "federated"
    usage = runner.invoke(app, ["federate", "--out", str(tmp_path / "x")])
    assert usage.exit_code == 2 and "give --simulate REGISTRY, or --network" in usage.output
    net.write_text('min_cell = 1\ntime_unit = "fortnight"\n')
    bad = runner.invoke(app, ["federate", "--simulate", str(three_sites), "--network", str(net),
                              "--out", str(tmp_path / "y")])
    assert bad.exit_code == 1 and f"{net}: time_unit: expected one of day, week, month" in bad.output


def test_secure_aggregation_hides_the_sites_model_sums_and_changes_nothing(three_sites, three_sites_simulated,
                                                                            tmp_path):
    out = tmp_path / "secure"
    results = simulate(three_sites, out, network=NetworkConfig(min_cell=1, secure_aggregation=True)).results
    plain = json.loads((three_sites_simulated / "results.json").read_text())
    quant = results["federation"]["quantization"]
    assert results["federation"]["secure_aggregation"] is True
    assert quant["protocol"] == "Flower SecAgg+" and quant["max_relative_error"] < 1e-15
    # the two-limb encoding is exact: every model number as without secure aggregation ...
    for key in ("orr_logistic", "pfs_cox", "orr_logistic_liver3", "pfs_cox_univariable"):
        assert results["models"][key] == plain["models"][key], key
    # ... except the site-clustered sandwich, which needs each site's score
    assert "models.orr_logistic_cluster_site" in results["federation"]["not_available"]
    assert results["federation"]["reasons"]["models.orr_logistic_cluster_site"].endswith(
        "which secure aggregation hides")
    # ... and the site meta-analysis, whose site-level counts are the release itself
    assert results["sites"]["orr_meta"] is None and plain["sites"]["orr_meta"]["REML"] is not None
    assert results["federation"]["reasons"]["sites.orr_meta"].endswith("which secure aggregation hides")
    # ... and the weighted analyses, whose per-arm and per-time sums SecAgg+ does not secure yet
    for key in ("iptw", "comparators"):
        assert results[key] is None and key in results["federation"]["not_available"], key
        assert "not secured by SecAgg+" in results["federation"]["reasons"][key]
    assert plain["iptw"]["reason"].startswith("IPTW not estimable: perfect or quasi-complete separation")
    # per-time counts by cause are released as without it
    assert results["safety"]["cumulative_incidence"] == plain["safety"]["cumulative_incidence"]
    assert results["safety"]["gray_test"] == plain["safety"]["gray_test"]
    # the audit log: secured parts leave in the clear as a layout only, their arrays masked
    entries = [json.loads(line) for line in (out / "audit" / "S01.jsonl").read_text().splitlines()]
    secured = [e for e in entries if e["event"] == "reply" and e["analysis"] in ("irls", "cox_blocks")]
    assert secured and all(item["kind"] == "values" for e in secured for item in e["items"])
    sums = [e for e in entries if e["event"] == "secure_sum"]
    assert sums and all(e["masked"] and e["values"] > 0 for e in sums)
