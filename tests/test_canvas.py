import numpy as np
import pytest

from lstm.draw.canvas import (
    RecordingCanvas,
    check_plain,
    circle_points,
    column_bins,
    decimate,
    fit_text,
    label,
    parse_path,
    path,
    paths,
    rect_path,
    subpaths,
    text_width,
)


def test_recording_canvas_records_plain_calls():
    c = RecordingCanvas(100, 50)
    c.clear()
    c.fill_rect(0, 0, 10.5, 3, "#ffffff")
    c.put_rgba(1, 2, 2, 1, bytes(8))
    c.stroke_path("M 0 0 L 1 1", "#000000", 2.0, (5, 5))
    c.fill_path("M 0 0 L 1 1 L 0 1 Z", "rgba(1, 2, 3, 0.5)")
    c.text("hi", 1, 2, "#000000", bold=True)
    assert [n for n, _ in c.calls] == ["clear", "fill_rect", "put_rgba", "stroke_path",
                                       "fill_path", "text"]
    assert c.count("text") == 1 and c.count() == 6 and c.strings() == ["hi"]
    c.reset()
    assert c.count() == 0


def test_texts_is_one_recorded_call_and_strings_come_from_both():
    c = RecordingCanvas(100, 50)
    c.text("a", 1, 2, "#000000")
    items = [label("b", 3, 4, "#000000"), label("c", 5.5, 6, "#111111", 11, "right", "middle",
                                                 True, -1.5)]
    c.texts(items)
    assert c.count() == 2 and c.count("texts") == 1 and c.calls[1] == ("texts", (items,))
    assert c.strings() == ["a", "b", "c"]
    assert c.labels()[0] == ("a", 1, 2, "#000000", 12, "left", "alphabetic", False, 0.0)
    assert c.labels()[2] == ("c", 5.5, 6, "#111111", 11, "right", "middle", True, -1.5)


def test_label_holds_texts_nine_arguments_with_its_defaults():
    assert label("s", 1, 2, "#000000") == ("s", 1, 2, "#000000", 12, "left", "alphabetic",
                                           False, 0.0)
    assert label("s", 1, 2, "#000000", 9, align="center", bold=True)[4:8] == (
        9, "center", "alphabetic", True)


@pytest.mark.parametrize("k, bad", [(0, np.str_("s")), (1, np.float64(1.0)), (2, np.int64(2)),
                                    (4, np.float32(12)), (7, np.bool_(True)),
                                    (8, float("nan")), (3, None)])
def test_texts_rejects_anything_not_plain_inside_its_items(k, bad):
    item = list(label("ok", 1, 2, "#000000"))
    item[k] = bad
    with pytest.raises(TypeError):
        RecordingCanvas().texts([label("fine", 0, 0, "#000000"), tuple(item)])


@pytest.mark.parametrize("items", [[("short", 1, 2, "#000000")], [list(label("s", 1, 2, "#000"))],
                                   (label("s", 1, 2, "#000000"),)])
def test_texts_items_are_a_list_of_nine_tuples(items):
    with pytest.raises(ValueError):
        RecordingCanvas().texts(items)


@pytest.mark.parametrize("bad", [np.float64(1.0), np.int64(3), np.array([1.0]), [1, np.float32(2)],
                                 (1, [np.bool_(True)]), float("nan"), None, {"a": 1}])
def test_recording_canvas_rejects_anything_not_plain(bad):
    c = RecordingCanvas()
    with pytest.raises(TypeError):
        c.fill_rect(bad, 0, 1, 1, "#000000")


def test_plain_values_pass():
    check_plain([1, 2.5, True, "s", b"b", (1, [2, 3])])


def test_put_rgba_checks_its_size():
    with pytest.raises(ValueError):
        RecordingCanvas().put_rgba(0, 0, 2, 2, bytes(15))
    with pytest.raises(TypeError):
        RecordingCanvas().put_rgba(0, 0, 1, 1, bytearray(4))


def test_path_round_trips_to_half_a_pixel():
    pts = np.random.default_rng(0).uniform(-50, 900, (2000, 2))
    d = path(pts)
    assert d.startswith("M") and d.count("L") == 1999 and "Z" not in d
    ((back, closed),) = parse_path(d)
    assert not closed and back.shape == (2000, 2)
    assert np.abs(back - pts).max() <= 0.25 + 1e-9
    assert np.array_equal(back * 2, np.round(back * 2))


def test_path_close_negative_and_empty():
    d = path(np.array([[1.0, 2.0], [-3.26, 4.74], [5, 6]]), close=True)
    ((back, closed),) = parse_path(d)
    assert closed and back.tolist() == [[1, 2], [-3.5, 4.5], [5, 6]]
    assert path(np.zeros((0, 2))) == ""


def test_several_subpaths_in_one_string():
    d = paths([np.array([[0, 0], [1, 1]]), np.zeros((0, 2)), np.array([[2, 2], [3, 3]])])
    assert [len(p) for p, _ in parse_path(d)] == [2, 2]
    rect = parse_path(rect_path(1, 2, 3, 4))
    assert rect[0][1] and rect[0][0].tolist() == [[1, 2], [4, 2], [4, 6], [1, 6]]
    circle = circle_points(10, 20, 5, 16)
    assert circle.shape == (16, 2) and np.allclose(np.hypot(*(circle - [10, 20]).T), 5)


def test_parse_path_accepts_only_m_l_z():
    assert parse_path("M 1 2 3 4")[0][0].tolist() == [[1, 2], [3, 4]]  # implicit L after M
    for bad in ("C 1 2 3 4 5 6", "L 1 2", "M 1", "M 1 x", "Z"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_decimate_keeps_each_columns_extremes():
    v = np.random.default_rng(2).standard_normal((1000, 3))
    starts = column_bins(1000, 7)
    assert starts[0] == 0 and len(starts) == 7 and (np.diff(starts) > 0).all()
    out = decimate(v, starts)
    assert out.shape == (14, 3)
    bounds = [*starts, 1000]
    for k in range(7):
        chunk = v[bounds[k] : bounds[k + 1]]
        assert np.array_equal(out[2 * k], chunk.min(axis=0))
        assert np.array_equal(out[2 * k + 1], chunk.max(axis=0))


def test_text_width_estimate():
    assert text_width("abcd", 10) == pytest.approx(24.0)
    assert text_width("", 12) == 0


def test_subpaths_are_one_string_of_equal_subpaths():
    pts = np.array([[[0, 0], [4, 0], [4, 2]], [[10, 10], [12, 10], [12, 11]]], float)
    assert [(p.tolist(), closed) for p, closed in parse_path(subpaths(pts))] == [
        ([[0, 0], [4, 0], [4, 2]], False), ([[10, 10], [12, 10], [12, 11]], False)]
    assert [closed for _, closed in parse_path(subpaths(pts, close=True))] == [True, True]
    assert subpaths(np.zeros((0, 3, 2))) == ""


def test_fit_text_joins_the_pieces_that_fit():
    assert fit_text(["abc", "de", "fgh"], text_width("abc · de", 12)) == "abc · de"
    assert fit_text(["abcdef", "g"], 1) == "abcdef" and fit_text([], 100) == ""
