"""What playback traces at once and per tick, by the size of the model."""

from lstm.model import LSTM
from lstm.ui import playback


def test_small_models_keep_the_token_limits_and_big_ones_trace_less_at_a_time():
    small = LSTM.random(8, 16, vocab_size=10, seed=0)
    assert playback.at_once(small) == playback.TRACE_AT_ONCE
    assert playback.chunk_of(small) == playback.CHUNK_TOKENS
    big = LSTM.random(64, 256, num_layers=2, vocab_size=80, output_size=80, seed=0)
    assert playback.work_per_token(big) == 4 * 256 * (64 + 256) + 4 * 256 * (256 + 256)
    assert 200 <= playback.at_once(big) <= 400  # about 100 ms in CPython
    assert 50 <= playback.chunk_of(big) <= 150  # about 30 ms a tick
    huge = LSTM.random(512, 512, num_layers=4, vocab_size=10, seed=0)
    assert playback.at_once(huge) >= 1 and playback.chunk_of(huge) >= 1
