"""Splitting units into parcels within a carrier's weight and volume limits (no database)."""

from logistics.parcel_planning import plan_parcels


def test_first_fit_decreasing_fills_parcels_up_to_the_weight_limit():
    # given: 3 units of 4 kg and 4 units of 1 kg, parcels of at most 10 kg
    units = [(1, 3, 4000, 10), (2, 4, 1000, 10)]

    # when
    parcels = plan_parcels(units=units, max_weight=10_000, max_volume=10_000)

    # then: 4+4+1+1 and 4+1+1 -- two parcels, none over the limit
    assert [p.weight for p in parcels] == [10_000, 6_000]
    assert [dict(p.units) for p in parcels] == [{1: 2, 2: 2}, {1: 1, 2: 2}]


def test_a_unit_heavier_than_the_limit_ships_alone():
    parcels = plan_parcels(
        units=[(1, 2, 12_000, 10), (2, 1, 500, 10)], max_weight=10_000, max_volume=10_000
    )

    assert [dict(p.units) for p in parcels] == [{1: 1}, {1: 1}, {2: 1}]
