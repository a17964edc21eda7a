"""lstm/draw/hitboxes.py: the topmost box under the pointer, nothing elsewhere."""

import numpy as np

from lstm.draw.hitboxes import HitBoxes
from lstm.focus import Hit


def test_the_topmost_box_wins_and_outside_is_none():
    boxes = HitBoxes()
    boxes.add(10, 10, 20, 10, Hit(unit=1))
    boxes.add(20, 10, 20, 10, Hit(unit=2))
    assert boxes.at(15, 15).unit == 1 and boxes.at(25, 15).unit == 2
    assert boxes.at(39.9, 19.9).unit == 2 and boxes.at(40, 15) is None
    assert boxes.at(5, 15) is None and boxes.at(15, 25) is None


def test_many_boxes_at_once_and_bad_pointers():
    boxes = HitBoxes()
    boxes.extend(np.array([[0, 0, 10, 10], [10, 0, 10, 10]]), [Hit(step=1), Hit(step=2)])
    assert len(boxes) == 2 and boxes.at(12, 3).step == 2
    for x, y in ((float("nan"), 1), (1, float("inf")), (None, 1), ("a", 1)):
        assert boxes.at(x, y) is None
    boxes.clear()
    assert boxes.at(12, 3) is None and len(boxes) == 0
