"""The code in a link: what the editor holds comes back exactly, and no token from a stranger can crash
the page, unpack past 64 KB, or open as code other than what was written."""
import base64
import string
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.editor.code_link import MAX_CODE_BYTES, MAX_TOKEN_CHARS, DecodedCode, decode_code, encode_code
from app.playground.state import State, decode, encode

EXAMPLE_CODE = '''from engine import nn

model = nn.MLP(2, [8, 8], 1, activation="relu")  # π ≈ 3.14, 日本語, 🙂
print("hello")
'''
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


def assert_refused(decoded):
    assert isinstance(decoded, DecodedCode)
    assert decoded.text is None
    assert decoded.note.startswith("the link's code ") and decoded.note.endswith("it was not opened")


def assert_opened_or_refused(token):
    decoded = decode_code(token)
    assert isinstance(decoded, DecodedCode)
    if decoded.text is None:
        assert_refused(decoded)
    else:
        assert isinstance(decoded.text, str) and decoded.note == ""
        assert len(decoded.text.encode("utf-8")) <= MAX_CODE_BYTES


@settings(max_examples=500)
@given(st.text(max_size=2000))
def test_any_text_comes_back_exactly(text):
    token = encode_code(text)
    assert set(token) <= set(TOKEN_ALPHABET)
    assert decode_code(token) == (text, "")


@given(st.text(max_size=300))
def test_code_survives_the_whole_link(text):
    fragment = encode(State(hidden=(8, 8)), {"code": encode_code(text), "preset": "dead-relu"})
    decoded = decode("#" + fragment)
    assert decoded.notes == [] and decoded.state.hidden == (8, 8)
    assert decode_code(decoded.extras["code"]).text == text


def test_code_up_to_the_cap_fits_and_one_byte_more_is_refused_with_its_size():
    largest = "#" * (MAX_CODE_BYTES - 2) + "é"  # 2 bytes in UTF-8: exactly at the cap
    assert decode_code(encode_code(largest)).text == largest
    with pytest.raises(ValueError, match=r"the code is 65,537 bytes, more than the 65,536"):
        encode_code(largest + "x")


def test_text_with_a_lone_surrogate_is_refused_in_words():
    with pytest.raises(ValueError, match="position 3"):
        encode_code("abc\ud800")


def test_incompressible_code_at_the_cap_still_fits_the_token_bound():
    noise = bytes(range(256)) * (MAX_CODE_BYTES // 256)
    text = noise.decode("latin-1")[: MAX_CODE_BYTES // 2]  # 2 bytes each in UTF-8
    token = encode_code(text)
    assert len(token) <= MAX_TOKEN_CHARS
    assert decode_code(token).text == text


def test_every_truncation_is_refused():
    token = encode_code(EXAMPLE_CODE)
    for length in range(len(token)):
        assert_refused(decode_code(token[:length]))
    assert "cut short" in decode_code(token[:-4]).note


def test_a_changed_byte_is_caught_by_the_checksum():
    compressed = bytearray(zlib.compress(EXAMPLE_CODE.encode("utf-8")))
    compressed[-1] ^= 0x01  # the last byte of the Adler-32 checksum
    token = base64.urlsafe_b64encode(bytes(compressed)).rstrip(b"=").decode()
    decoded = decode_code(token)
    assert_refused(decoded)
    assert "checksum does not match" in decoded.note


def test_a_zip_bomb_stops_at_the_cap():
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\0" * 50_000_000, 9)).rstrip(b"=").decode()
    assert len(bomb) < MAX_TOKEN_CHARS  # small enough to be read, large enough to hurt if it were
    decoded = decode_code(bomb)
    assert_refused(decoded)
    assert "more than the 65,536 bytes" in decoded.note


@pytest.mark.parametrize("token, words", [
    ("", "is empty"),
    ("eNorKMrMK9Ew1AQADhUCsA!", "not in the form"),
    ("eNorKMrMK9Ew1AQADhUCs", "not in the form"),  # 21 characters: no base64 text has length 4k+1
    ("e NorKMrMK9Ew1AQADhUCsA", "not in the form"),
    ("eNorKMrMK9Ew1AQADhUCsA==", "not in the form"),  # links carry no padding
    ("AAAA", "not compressed code"),
    ("eNorKMrMK9Ew1AQADhUCsAAAAA", "extra characters"),
    (base64.urlsafe_b64encode(zlib.compress(b"\xff\xfeok")).decode().rstrip("="), "does not unpack to text"),
    ("A" * (MAX_TOKEN_CHARS + 1), "more than a link of 64 KB"),
])
def test_a_bad_token_is_refused_in_plain_words(token, words):
    decoded = decode_code(token)
    assert_refused(decoded)
    assert words in decoded.note


@settings(max_examples=2000)
@given(st.text(alphabet=TOKEN_ALPHABET, max_size=200) | st.text(max_size=200))
def test_random_tokens_never_raise(token):
    assert_opened_or_refused(token)


@st.composite
def mutated_tokens(draw):
    """A real token with a few characters replaced, inserted or deleted, as a careless copy would."""
    token = list(encode_code(draw(st.sampled_from([EXAMPLE_CODE, "print(1)", "x = 1\n" * 50]))))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(token)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        character = draw(st.sampled_from(TOKEN_ALPHABET) | st.characters())
        if action == "insert":
            token.insert(position, character)
        elif token and position < len(token):
            if action == "replace":
                token[position] = character
            else:
                del token[position]
    return "".join(token)


@settings(max_examples=2000)
@given(mutated_tokens())
def test_mutated_tokens_never_raise(token):
    assert_opened_or_refused(token)
