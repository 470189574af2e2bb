"""network.toml: defaults, and errors that name the file and the key."""

import pytest

from prrt_rwe.federated.network import NetworkError, load_network, parse_network


def test_defaults_are_the_spec_s():
    net = parse_network({})
    assert (net.min_cell, net.time_unit, net.secure_aggregation, net.sites) == (5, "day", False, ())


def test_a_full_file(tmp_path):
    path = tmp_path / "network.toml"
    path.write_text('min_cell = 3\ntime_unit = "week"\nsuperlink = "127.0.0.1:9092"\n'
                    '[[site]]\nid = "S01"\naddress = "127.0.0.1:9101"\n[[site]]\nid = "S02"\n')
    net = load_network(path)
    assert net.site_ids == ("S01", "S02") and net.site("S01").address == "127.0.0.1:9101"
    assert net.disclosure() == {"min_cell": 3, "time_unit": "week", "secure_aggregation": False}


@pytest.mark.parametrize("raw, message", [
    ({"min_cell": 0}, "min_cell: expected an integer >= 1, got 0"),
    ({"time_unit": "year"}, "time_unit: expected one of day, week, month, got 'year'"),
    ({"secure_aggregation": "yes"}, "secure_aggregation: expected true or false"),
    ({"mincell": 5}, "unknown key 'mincell'"),
    ({"site": [{"id": "S01"}, {"id": "S01"}]}, "[[site]] number 2: id 'S01' is listed twice"),
    ({"site": [{"id": "S01", "address": "localhost"}]}, "[[site]] number 1 address: expected host:port"),
    ({"superlink": "127.0.0.1:99999"}, "superlink: expected host:port"),
])
def test_errors_name_the_key(raw, message):
    with pytest.raises(NetworkError, match=None) as exc:
        parse_network(raw, "net.toml")
    assert str(exc.value).startswith("net.toml: ") and message in str(exc.value)


def test_an_unlisted_site_is_named():
    with pytest.raises(NetworkError, match="site 'S09' is not listed"):
        parse_network({"site": [{"id": "S01"}]}).site("S09")
