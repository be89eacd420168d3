import boolsens as bs


def test_majority3_total_influence():
    assert bs.total_influence(bs.majority(3)) == 1.5
