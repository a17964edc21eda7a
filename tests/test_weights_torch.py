"""State_dict discovery: prefixes, embeddings and heads by name and shape, and what is refused."""

from pathlib import Path

import numpy as np
import pytest

from lstm.weights import WeightsError
from lstm.weights.torch import from_state_dict

FIXTURES = Path(__file__).parent / "fixtures" / "import"
H, E, V = 3, 2, 5


def lstm(prefix: str = "lstm.", layers: int = 1, bias: bool = True) -> dict:
    rng = np.random.default_rng(0)
    out = {}
    for k in range(layers):
        out[f"{prefix}weight_ih_l{k}"] = rng.standard_normal((4 * H, E if k == 0 else H))
        out[f"{prefix}weight_hh_l{k}"] = rng.standard_normal((4 * H, H))
        if bias:
            out[f"{prefix}bias_ih_l{k}"] = rng.standard_normal(4 * H)
            out[f"{prefix}bias_hh_l{k}"] = rng.standard_normal(4 * H)
    return out


@pytest.mark.parametrize("prefix", ["", "lstm.", "rnn.", "encoder.", "model.encoder.rnn.",
                                    "module._orig_mod.lstm."])
def test_the_lstm_is_found_under_any_prefix(prefix):
    params, info = from_state_dict(lstm(prefix, layers=2))
    assert params["weight_hh_l1"].shape == (4 * H, H)
    assert info["arrays"]["weight_ih_l0"] == f"{prefix}weight_ih_l0"


@pytest.mark.parametrize(("embed", "head"), [("embed", "fc"), ("embedding", "head"),
                                             ("encoder", "decoder"), ("net.wte", "net.lm_head")])
def test_embedding_and_head_are_found_by_name_and_shape(embed, head):
    arrays = {**lstm("rnn."), f"{embed}.weight": np.ones((V, E)),
              f"{head}.weight": np.ones((7, H)), f"{head}.bias": np.zeros(7),
              "norm.weight": np.ones(H), "bn.num_batches_tracked": np.array(3)}
    params, info = from_state_dict(arrays)
    assert params["embedding"].shape == (V, E) and params["out_weight"].shape == (7, H)
    assert info["arrays"]["embedding"] == f"{embed}.weight"
    assert info["ignored"] == ["bn.num_batches_tracked", "norm.weight"]


def test_a_head_without_bias_gets_zeros_and_a_tied_decoder_is_not_the_embedding():
    arrays = {**lstm("rnn."), "encoder.weight": np.ones((V, H)), "decoder.weight": np.ones((V, H))}
    params, info = from_state_dict({**arrays, "rnn.weight_ih_l0": np.ones((4 * H, H))})
    assert info["arrays"]["embedding"] == "encoder.weight"
    assert info["arrays"]["out_weight"] == "decoder.weight"
    np.testing.assert_array_equal(params["out_bias"], np.zeros(V))


def test_a_fitting_array_with_an_unknown_name_is_left_out_and_said_so():
    arrays = {**lstm(), "attn.weight": np.ones((1, H)), "attn.bias": np.ones(1)}
    params, info = from_state_dict(arrays)
    assert "out_weight" not in params
    assert "head=attn would take it" in info["notes"][0]
    params, _ = from_state_dict(arrays, head="attn")
    assert params["out_weight"].shape == (1, H)


def test_two_candidate_heads_are_refused_with_their_names_or_chosen():
    arrays = {**lstm(), "fc.weight": np.ones((4, H)), "fc.bias": np.ones(4),
              "head.weight": np.ones((2, H)), "head.bias": np.ones(2)}
    with pytest.raises(WeightsError, match=r"2 candidates for the head: fc, head; choose one"):
        from_state_dict(arrays)
    params, _ = from_state_dict(arrays, head="head")
    assert params["out_weight"].shape == (2, H)
    with pytest.raises(WeightsError, match="no module 'tail' with a weight"):
        from_state_dict(arrays, head="tail")


def test_bias_false_gives_zero_biases():
    params, info = from_state_dict(lstm(bias=False))
    assert not params["bias_ih_l0"].any() and "bias=False" in info["notes"][0]


WRONG = [
    ({"fc.weight": np.ones((3, 3))}, "no LSTM weights found .* the file has fc.weight"),
    ({"lstm.weight_hh_l0": np.ones((12, 4))},
     r"lstm.weight_hh_l0 has shape \(12, 4\), expected \(4H, H\) = \(16, 4\)"),
    ({"lstm.weight_ih_l0": np.ones((11, E))},
     r"lstm.weight_ih_l0 has shape \(11, 2\), expected \(4H, E\) = \(12, 2\)"),
    ({"lstm.bias_hh_l0": np.ones(5)}, r"lstm.bias_hh_l0 has shape \(5,\), expected \(4H,\)"),
    ({"lstm.weight_ih_l0": None}, "lstm: lstm.weight_ih_l0 is missing"),
    ({"lstm.weight_ih_l2": np.ones((12, 3))}, r"layers \[0, 2\]: expected 0 to 1"),
    ({"lstm.weight_hh_l0": np.full((12, 3), np.inf)},
     r"lstm.weight_hh_l0 contains NaN or infinite values \(first at index \(0, 0\)\)"),
    ({"lstm.bias_ih_l0": np.array(["a"] * 12)}, "lstm.bias_ih_l0 holds <U1, expected real"),
    ({"lstm.weight_hh_l0": np.ones(12)}, r"lstm.weight_hh_l0 has shape \(12,\), expected a matrix"),
]


@pytest.mark.parametrize(("change", "message"), WRONG)
def test_wrong_keys_and_shapes_name_the_array_and_the_mismatch(change, message):
    arrays = {**lstm(), **change}
    arrays = {k: v for k, v in arrays.items() if v is not None}
    if "fc.weight" in change:
        arrays = change
    with pytest.raises(WeightsError, match=message):
        from_state_dict(arrays)


def test_an_embedding_that_does_not_fit_is_named():
    arrays = {**lstm(), "embed.weight": np.ones((V, E + 1))}
    params, info = from_state_dict(arrays)  # E does not fit: not an embedding candidate
    assert "embedding" not in params and "embed.weight" in info["ignored"]
    with pytest.raises(WeightsError, match=r"embed.weight has shape \(5, 3\), expected \(V, E\)"):
        from_state_dict(arrays, embedding="embed")


def test_bidirectional_and_projected_lstms_are_refused_with_the_reason():
    bi = dict(np.load(FIXTURES / "torch_bidirectional.npz"))
    with pytest.raises(WeightsError, match=r"bidirectional .* reads the text both ways"):
        from_state_dict(bi)
    proj = dict(np.load(FIXTURES / "torch_proj.npz"))
    with pytest.raises(WeightsError, match=r"proj_size=2 \(rnn.weight_hr_l0\)"):
        from_state_dict(proj)
