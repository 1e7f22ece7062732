"""The playground's state and its link: round trips, hand-written links, bad fields, and hostile fragments."""
import string
from dataclasses import replace
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.playground.state import (
    ACTIVATIONS, CLASS_LABELS, DATASETS, DIGITS_MODELS, EXTRA_KEYS, FEATURES, LEARNING_RATES, MAX_FRAGMENT_BYTES,
    MAX_LAYERS, MAX_NEURONS, MAX_POINTS, MAX_WEIGHTS, OPTIMIZERS, PLANE, PROBLEMS, REGULARIZATION_RATES,
    REGULARIZATIONS, ROOMS, SETTINGS, State, decode, encode, layer_sizes, validate, weight_count, with_change,
)


def rounded(number):
    return round(number, 3) + 0.0


@st.composite
def valid_states(draw):
    """Any State the UI could reach, drawn from the public choice lists and the documented ranges."""
    problem = draw(st.sampled_from(PROBLEMS))
    coordinate = st.floats(-PLANE, PLANE).map(rounded)
    label = (st.sampled_from(CLASS_LABELS).map(float) if problem == "classification"
             else st.floats(-1000, 1000).map(rounded))
    state = State(
        problem=problem,
        dataset=draw(st.sampled_from(DATASETS[problem])),
        lr=draw(st.sampled_from(LEARNING_RATES)),
        activation=draw(st.sampled_from(ACTIVATIONS)),
        regularization=draw(st.sampled_from(REGULARIZATIONS)),
        reg_rate=draw(st.sampled_from(REGULARIZATION_RATES)),
        train_ratio=draw(st.sampled_from(range(10, 91, 10))),
        noise=draw(st.sampled_from(range(0, 51, 5))),
        batch_size=draw(st.integers(1, 30)),
        points=draw(st.integers(50, 2000)),
        hidden=tuple(draw(st.lists(st.integers(1, MAX_NEURONS), max_size=MAX_LAYERS))),
        features=tuple(draw(st.lists(st.sampled_from(FEATURES), min_size=1, unique=True))),
        optimizer=draw(st.sampled_from(OPTIMIZERS)),
        loss=draw(st.sampled_from(("auto", "mse", "cross_entropy")[:3 if problem == "classification" else 2])),
        seed=draw(st.integers(0, 2**32 - 1)),
        show_test=draw(st.booleans()),
        discretize=draw(st.booleans()),
        stop_loss=draw(st.none() | st.floats(0, 10, exclude_min=True)),
        stop_plateau=draw(st.integers(0, 1000)),
        custom=tuple(draw(st.lists(st.tuples(coordinate, coordinate, label), max_size=20))),
        room=draw(st.sampled_from(ROOMS)),
        digits_model=draw(st.sampled_from(DIGITS_MODELS)),
    )
    while weight_count(state) > MAX_WEIGHTS:
        state = replace(state, hidden=state.hidden[:-1])
    per_layer = st.lists(st.sampled_from(ACTIVATIONS), min_size=len(state.hidden), max_size=len(state.hidden))
    return replace(state, layer_activations=tuple(draw(st.just([]) | per_layer)))


def assert_decodes_safely(fragment):
    """Whatever the fragment, decode returns a valid state, text notes and only the known extras."""
    decoded = decode(fragment)
    assert validate(decoded.state) == []
    assert all(isinstance(note, str) and note for note in decoded.notes)
    assert set(decoded.extras) <= set(EXTRA_KEYS)
    assert all(isinstance(value, str) for value in decoded.extras.values())
    assert decode(encode(decoded.state)) == (decoded.state, [], {})


# --- encode and the round trip ------------------------------------------------------------------------

def test_encoding_the_defaults_gives_just_the_version():
    assert encode(State()) == "v=1"
    assert decode("v=1") == decode("#v=1") == decode("") == decode("#") == (State(), [], {})


def test_only_changed_fields_are_written_in_table_order():
    state = State(seed=7, lr=0.1, dataset="spiral", hidden=(8, 8, 8))
    assert encode(state) == "v=1&dataset=spiral&lr=0.1&hidden=8,8,8&seed=7"


@pytest.mark.parametrize("state", [
    State(problem="regression", dataset="multigauss", loss="mse", noise=25, train_ratio=70),
    State(hidden=(), features=("x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)")),
    State(dataset="blobs3", hidden=(100, 90), layer_activations=("relu", "leaky_relu"), optimizer="adam"),
    State(lr=0.00001, reg_rate=0.001, regularization="l1", stop_loss=0.05, stop_plateau=200, seed=2**32 - 1),
    State(dataset="custom", custom=((-6.0, 6.0, 0.0), (0.001, -2.5, 1.0), (3.125, 0.0, 2.0))),
    State(problem="regression", dataset="custom", custom=((1.0, 2.0, -0.375), (0.0, 0.0, 12.5))),
    State(show_test=True, discretize=True, batch_size=1, points=2000),
], ids=lambda state: encode(state))
def test_chosen_states_survive_the_link(state):
    assert validate(state) == []
    assert decode(encode(state)) == (state, [], {})


@settings(max_examples=400)
@given(valid_states())
def test_every_valid_state_survives_the_link_in_url_safe_text(state):
    assert validate(state) == []
    fragment = encode(state)
    assert set(fragment) <= set(string.ascii_letters + string.digits + "-._~,;()%&=")
    assert decode(fragment) == (state, [], {})


def test_features_are_percent_encoded_and_read_back_either_way():
    fragment = encode(State(features=("x1", "x2", "x1^2", "sin(x1)")))
    assert fragment == "v=1&features=x1,x2,x1%5E2,sin(x1)"
    hand_written = decode("#features=x1,x2,x1^2,sin(x1)")
    assert hand_written == decode(fragment)
    assert hand_written.state.features == ("x1", "x2", "x1^2", "sin(x1)")


# --- links people write by hand ------------------------------------------------------------------------

@pytest.mark.parametrize("fragment, expected", [
    ("#dataset=spiral&hidden=8,8,8,8,8,8", {"dataset": "spiral", "hidden": (8,) * 6}),
    ("#lr=0.030", {"lr": 0.03}),
    ("#lr=1e-5&reg_rate=0.0", {"lr": 0.00001, "reg_rate": 0}),
    ("#lr=0.30000000000000004", {"lr": 0.3}),
    ("#problem=regression", {"problem": "regression", "dataset": "plane"}),
    ("#show_test=1&discretize=TRUE", {"show_test": True, "discretize": True}),
    ("#hidden=", {"hidden": ()}),
    ("#hidden= 3 , 5 &seed=42", {"hidden": (3, 5), "seed": 42}),
    ("#stop_loss=0.05&stop_plateau=50", {"stop_loss": 0.05, "stop_plateau": 50}),
    ("#features=sin%28x1%29,x2", {"features": ("sin(x1)", "x2")}),
    ("#dataset=custom&custom=1,2,0;-1.5,0.25,1;", {"dataset": "custom", "custom": ((1, 2, 0), (-1.5, 0.25, 1))}),
    ("#points=1000&noise=10&batch_size=30&train_ratio=90", {"points": 1000, "noise": 10, "batch_size": 30,
                                                             "train_ratio": 90}),
    ("#init=he_normal&schedule=step&clip=0.50&race=optimizer:adam", {"init": "he_normal", "schedule": "step",
                                                                     "clip": 0.5, "race": "optimizer:adam"}),
    ("#race=lr:1e-1", {"race": "lr:0.1"}),
])
def test_hand_written_links_decode_without_notes(fragment, expected):
    decoded = decode(fragment)
    assert decoded.notes == []
    assert decoded.state == replace(State(), **expected)


# --- a bad field falls back to its default, and says so -----------------------------------------------

BAD_VALUES = {
    "dataset": "rings", "problem": "clustering", "lr": "abc", "activation": "swish",
    "layer_activations": "tanh,swish", "regularization": "l3", "reg_rate": "0.5", "train_ratio": "55",
    "noise": "7", "batch_size": "31", "points": "49", "hidden": "4,0", "features": "x3",
    "optimizer": "lbfgs", "loss": "hinge", "seed": "-1", "show_test": "maybe", "discretize": "2",
    "stop_loss": "0", "stop_plateau": "1001", "speed": "warp", "custom": "a,b", "room": "kitchen",
    "digits_model": "resnet", "init": "orthogonal", "schedule": "sometimes", "clip": "2", "race": "seed:3",
    "dropout": "0.9", "batch_norm": "yes", "embed": "sometimes", "hide": "header",
}


def test_there_is_a_bad_value_for_every_setting():
    assert set(BAD_VALUES) == {setting.name for setting in SETTINGS}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_a_bad_value_falls_back_to_the_default_with_a_note_naming_it(setting):
    bad = BAD_VALUES[setting.name]
    decoded = decode(f"#v=1&{setting.name}={quote(bad)}")
    assert decoded.state == State()
    [note] = decoded.notes
    assert setting.label in note and f"'{bad}'" in note


def test_the_note_says_what_was_expected_and_what_was_used():
    [note] = decode("#lr=abc").notes
    assert note == ("learning rate 'abc' is not one of 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, "
                    "1, 3, 10; using 0.03")


def test_a_long_bad_value_is_shortened_in_its_note():
    [note] = decode("#seed=" + "9" * 100).notes
    assert "'" + "9" * 40 + "…'" in note
    assert "9" * 41 not in note


def test_a_bad_field_leaves_the_good_ones_alone():
    decoded = decode("#dataset=xor&lr=fast&hidden=6")
    assert decoded.state == State(dataset="xor", hidden=(6,))
    assert len(decoded.notes) == 1


def test_unknown_settings_are_ignored_with_a_note():
    decoded = decode("#v=1&foo=1&lr=0.1")
    assert decoded.state == State(lr=0.1)
    assert decoded.notes == ["unknown setting 'foo' ignored"]


def test_many_unknown_settings_are_counted_rather_than_listed():
    decoded = decode("&".join(f"k{i}=1" for i in range(50)))
    assert len(decoded.notes) == 4
    assert decoded.notes[-1] == "and 47 more unknown settings ignored"


def test_a_repeated_setting_uses_the_last_value_and_says_so():
    decoded = decode("#lr=0.1&lr=0.3")
    assert decoded.state.lr == 0.3
    assert decoded.notes == ["learning rate is given 2 times; using the last"]


def test_the_open_room_travels_in_the_link_and_an_unknown_one_opens_the_first():
    assert ROOMS[0] == "graph" and State().room == "graph"
    assert encode(State(room="code")) == "v=1&room=code"
    assert decode("#dataset=xor&room=digits") == (State(dataset="xor", room="digits"), [], {})
    decoded = decode("#room=kitchen")
    assert decoded.state.room == "graph"
    assert decoded.notes == ["room 'kitchen' is not one of graph, code, diagnostics, traces, digits, race; using graph"]


# --- versions, extras and size ------------------------------------------------------------------------

def test_a_link_without_a_version_is_read_as_version_1():
    assert decode("#lr=0.1") == (State(lr=0.1), [], {})


def test_a_link_from_a_newer_version_reads_what_it_knows_and_says_so():
    decoded = decode("#v=2&lr=0.1&wormholes=3")
    assert decoded.state == State(lr=0.1)
    assert "newer version" in decoded.notes[0] and "v=2" in decoded.notes[0]
    assert decoded.notes[1] == "unknown setting 'wormholes' ignored"


@pytest.mark.parametrize("version", ["abc", "0", ""])
def test_a_nonsense_version_is_read_as_version_1_with_a_note(version):
    decoded = decode(f"#v={version}&lr=0.1")
    assert decoded.state == State(lr=0.1)
    [note] = decoded.notes
    assert "version" in note


def test_a_preset_link_comes_back_as_an_extra_without_notes():
    assert decode("#preset=xor-hidden") == (State(), [], {"preset": "xor-hidden"})


def test_code_and_preset_travel_beside_the_settings_untouched():
    code = "eJzLSM3JyVcozy_KSQEAGgQEXQ-_=="  # deflate+base64url text, padding included
    fragment = encode(State(lr=0.3), {"code": code, "preset": "dead-relu"})
    assert fragment == f"v=1&lr=0.3&preset=dead-relu&code={code.replace('=', '%3D')}"
    assert decode(fragment) == (State(lr=0.3), [], {"preset": "dead-relu", "code": code})


def test_encode_refuses_extras_it_does_not_know():
    with pytest.raises(ValueError, match="theme"):
        encode(State(), {"theme": "dark"})


def test_a_fragment_over_64_kb_is_rejected_whole():
    fragment = "#v=1&lr=0.1&preset=xor-hidden&foo=" + "a" * MAX_FRAGMENT_BYTES
    decoded = decode(fragment)
    assert (decoded.state, decoded.extras) == (State(), {})
    [note] = decoded.notes
    assert "65,536" in note


def test_a_fragment_of_exactly_64_kb_is_read():
    fragment = "lr=0.1&code=" + "a" * (MAX_FRAGMENT_BYTES - len("lr=0.1&code="))
    assert decode(fragment).state == State(lr=0.1)


# --- rules between fields -----------------------------------------------------------------------------

def test_a_dataset_of_the_other_problem_type_becomes_that_types_first():
    decoded = decode("#problem=regression&dataset=xor")
    assert decoded.state.dataset == "plane"
    assert decoded.notes == ["dataset 'xor' is not a regression dataset; using plane"]


def test_cross_entropy_cannot_be_the_loss_of_a_regression():
    decoded = decode("#problem=regression&dataset=plane&loss=cross_entropy")
    assert decoded.state.loss == "auto"
    [note] = decoded.notes
    assert note.startswith("loss 'cross_entropy'")


def test_per_layer_activations_must_match_the_hidden_layers():
    assert decode("#hidden=4,4,4&layer_activations=relu,tanh,relu").state.layer_activations == ("relu", "tanh", "relu")
    decoded = decode("#hidden=4,4,4&layer_activations=relu,tanh")
    assert decoded.state == State(hidden=(4, 4, 4))
    [note] = decoded.notes
    assert "layer activations 'relu,tanh'" in note and "3 hidden layers" in note


def test_zero_hidden_layers_is_a_valid_network():
    state = decode("#hidden=").state
    assert state.hidden == () and layer_sizes(state) == [2, 1] and weight_count(state) == 2


def test_a_network_over_the_weight_budget_falls_back_with_a_note_naming_the_limit():
    decoded = decode("#hidden=100,100,100")
    assert decoded.state.hidden == (4, 2)
    [note] = decoded.notes
    assert "hidden layers '100,100,100'" in note and "20,300 weights" in note and f"{MAX_WEIGHTS:,}" in note


@pytest.mark.parametrize("fragment, message", [
    ("#hidden=" + ",".join(["2"] * 11), "11 layers, more than the 10 allowed"),
    ("#hidden=4,101", "a layer of 101 neurons"),
    ("#hidden=4,x", "is not a list of layer sizes"),
])
def test_layer_limits_are_enforced_with_a_message(fragment, message):
    decoded = decode(fragment)
    assert decoded.state.hidden == (4, 2)
    [note] = decoded.notes
    assert message in note


def test_three_classes_need_three_outputs():
    assert layer_sizes(State(dataset="blobs3")) == [2, 4, 2, 3]
    assert layer_sizes(State(dataset="custom", custom=((0, 0, 0), (1, 1, 2)))) == [2, 4, 2, 3]
    assert layer_sizes(State(dataset="custom", custom=((0, 0, 0), (1, 1, 1)))) == [2, 4, 2, 1]


def test_unknown_features_are_dropped_and_the_rest_kept():
    decoded = decode("#features=x1,x3,x1x2")
    assert decoded.state.features == ("x1", "x1x2")
    assert decoded.notes == ["features: 'x3' is not one of x1, x2, x1^2, x2^2, x1x2, sin(x1), sin(x2); dropped"]


# --- the user's own points -----------------------------------------------------------------------------

def test_a_malformed_point_is_dropped_by_position_and_the_rest_kept():
    decoded = decode("#dataset=custom&custom=1,2,0;0,0,1;a,b;-3,4,1")
    assert decoded.state.custom == ((1, 2, 0), (0, 0, 1), (-3, 4, 1))
    assert decoded.notes == ["your points: point 3 'a,b' is not x,y,label; dropped"]


def test_points_are_kept_to_three_decimals():
    state = decode("#custom=0.12345,-1.0006,1").state
    assert state.custom == ((0.123, -1.001, 1.0),)
    assert encode(state) == "v=1&custom=0.123,-1.001,1"


def test_points_off_the_plane_are_dropped():
    decoded = decode("#custom=6.5,0,1;6,-6,0")
    assert decoded.state.custom == ((6, -6, 0),)
    [note] = decoded.notes
    assert note.startswith("your points: point 1 '6.5,0,1' lies off the plane")


@pytest.mark.parametrize("bad", ["nan,0,1", "0,inf,1", "1,1,-inf", "1,1,nan", "1e999,0,1"])
def test_points_must_be_finite_numbers(bad):
    decoded = decode(f"#problem=regression&dataset=custom&custom=1,1,0.5;{bad}")
    assert decoded.state.custom == ((1, 1, 0.5),)
    [note] = decoded.notes
    assert f"point 2 '{bad}'" in note


def test_at_most_1000_points_are_kept():
    fragment = "#custom=" + ";".join(f"{i / 1000},0,1" for i in range(MAX_POINTS + 5))
    decoded = decode(fragment)
    assert len(decoded.state.custom) == MAX_POINTS
    assert decoded.state.custom[-1] == (0.999, 0, 1)
    [note] = decoded.notes
    assert "1,005 points" in note and "kept the first 1,000" in note


def test_classification_points_need_class_labels():
    decoded = decode("#dataset=custom&custom=1,1,0;2,2,0.5;3,3,2")
    assert decoded.state.custom == ((1, 1, 0), (3, 3, 2))
    [note] = decoded.notes
    assert "'2,2,0.5' has label 0.5" in note


def test_regression_points_take_any_number_as_their_target():
    decoded = decode("#problem=regression&dataset=custom&custom=1,1,0.5;2,2,-3.25")
    assert decoded == (State(problem="regression", dataset="custom", custom=((1, 1, 0.5), (2, 2, -3.25))), [], {})


# --- changes from the controls ------------------------------------------------------------------------

def test_a_control_change_applies_without_notes():
    state, notes = with_change(State(), lr="0.3", hidden=(8, 8), show_test=True)
    assert (state, notes) == (State(lr=0.3, hidden=(8, 8), show_test=True), [])


def test_adding_an_eleventh_layer_leaves_the_state_unchanged_with_a_note():
    ten = State(hidden=(3,) * 10)
    state, [note] = with_change(ten, hidden=(3,) * 11)
    assert state == ten
    assert "more than the 10 allowed" in note and "keeping" in note


def test_a_change_past_the_weight_budget_is_refused_with_a_note():
    big = State(hidden=(100, 100))
    assert weight_count(big) <= MAX_WEIGHTS
    state, [note] = with_change(big, hidden=(100, 100, 10))
    assert state == big
    assert f"{MAX_WEIGHTS:,}" in note and "nothing was changed" in note


def test_switching_the_problem_type_picks_a_dataset_of_that_type_as_the_data_panel_shows_it():
    # The Data panel's choices change with the problem type, so the switch needs no word; a link naming a dataset
    # of the other type is still told what was replaced (test_a_dataset_of_the_other_problem_type_becomes_...).
    regression = State(problem="regression", dataset="plane")
    assert with_change(State(dataset="spiral"), problem="regression") == (regression, [])
    assert with_change(State(problem="regression", dataset="multigauss"), problem="classification") == (State(), [])
    assert with_change(State(dataset="custom"), problem="regression") == (replace(regression, dataset="custom"), [])


def test_removing_a_layer_clears_per_layer_activations_of_the_old_length():
    state = State(hidden=(4, 4), layer_activations=("relu", "tanh"))
    assert with_change(state, hidden=(4,))[0].layer_activations == ()
    assert with_change(state, hidden=(4,), layer_activations=("relu",)) == (
        State(hidden=(4,), layer_activations=("relu",)), [])


def test_a_misspelt_setting_name_is_a_programming_error():
    with pytest.raises(TypeError, match="learning_rate"):
        with_change(State(), learning_rate=0.1)


@settings(max_examples=300)
@given(valid_states(), st.sampled_from(SETTINGS), st.data())
def test_any_control_change_leaves_a_valid_state(state, setting, data):
    other = data.draw(valid_states())
    value = data.draw(st.just(getattr(other, setting.name)) | st.text(max_size=20) | st.integers() | st.none())
    changed, notes = with_change(state, **{setting.name: value})
    assert validate(changed) == []
    assert all(isinstance(note, str) for note in notes)


# --- validate ------------------------------------------------------------------------------------------

def test_validate_names_what_a_state_built_by_hand_gets_wrong():
    assert validate(State()) == []
    assert validate(State(lr=0.05)) == [
        "learning rate '0.05' is not one of 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10; "
        "using 0.03"]
    [note] = validate(State(hidden=[4, 2]))  # a list would not survive the link as a list
    assert note.startswith("hidden layers '4,2' should be stored as")


# --- the choice lists the UI shows ---------------------------------------------------------------------

def test_the_choice_lists_are_tensorflow_playgrounds():
    assert LEARNING_RATES == (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
    assert REGULARIZATION_RATES == (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
    assert DATASETS == {"classification": ("circle", "xor", "gauss", "spiral", "moons", "blobs3", "custom"),
                        "regression": ("plane", "multigauss", "custom")}
    assert (MAX_LAYERS, MAX_NEURONS, MAX_WEIGHTS) == (10, 100, 11_000)
    assert weight_count(State(hidden=(100, 100))) == 10_300  # the 2-100-100-1 fits


# --- hostile and broken fragments ----------------------------------------------------------------------

KEYS = [setting.name for setting in SETTINGS] + ["v", "preset", "code", "foo", ""]
LINK_TEXT = st.text(alphabet=st.sampled_from("=&,;%#^()-.e+ 0123456789abcdefxyzv") | st.characters(), max_size=80)


@settings(max_examples=1000)
@given(st.text(max_size=300) | LINK_TEXT)
def test_random_text_never_breaks_decode(fragment):
    assert_decodes_safely(fragment)


@settings(max_examples=1000)
@given(st.lists(st.tuples(st.sampled_from(KEYS), LINK_TEXT), max_size=8))
def test_random_settings_never_break_decode(pairs):
    assert_decodes_safely("#" + "&".join(f"{key}={value}" for key, value in pairs))


@st.composite
def mutated_links(draw):
    """A valid link, truncated, with characters flipped, or with text spliced in."""
    fragment = "#" + encode(draw(valid_states()), draw(st.just({}) | st.just({"preset": "xor-hidden"})))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(fragment)))
        mutation = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        if mutation == "truncate":
            fragment = fragment[:at]
        elif mutation == "flip" and at < len(fragment):
            flipped = chr(ord(fragment[at]) ^ (1 << draw(st.integers(0, 6))))
            fragment = fragment[:at] + flipped + fragment[at + 1:]
        elif mutation == "insert":
            fragment = fragment[:at] + draw(LINK_TEXT) + fragment[at:]
        else:
            fragment = fragment[:at] + fragment[at + draw(st.integers(1, 10)):]
    return fragment


@settings(max_examples=1000)
@given(mutated_links())
def test_mutated_links_never_break_decode(fragment):
    assert_decodes_safely(fragment)
