from lstm.focus import Focus, Hit


def test_focus_but_changes_only_the_named_fields():
    f = Focus(layer=1, unit=3, step=7, gate="f")
    assert f.but(step=2) == Focus(layer=1, unit=3, step=2, gate="f")
    assert f == Focus(1, 3, 7, "f")  # frozen: the original is untouched


def test_readout_orders_token_step_unit_gate_value():
    hit = Hit(layer=0, unit=11, step=4, gate="f", value=0.98765, token="(")
    assert hit.readout() == ["token '('", "step 4", "unit 11", "gate f", "f = 0.9877"]


def test_readout_names_the_layer_above_the_first_and_the_quantity():
    hit = Hit(layer=1, unit=2, step=1, quantity="c", value=-1.5, note="kept")
    assert hit.readout() == ["step 1", "unit 2 · layer 2", "c = -1.5000", "kept"]


def test_gates_in_0_1_read_without_a_sign_and_signed_quantities_with_one():
    assert Hit(gate="o", value=0.5).readout() == ["gate o", "o = 0.5000"]
    assert Hit(gate="g", value=0.5).readout() == ["gate g", "g = +0.5000"]
    assert Hit(quantity="h", value=-0.25).readout() == ["h = -0.2500"]
