"""The course's colours for the parts of an RNN, fixed in chapter 1 and reused after it.

Each part has a fill (``*_FACE``) and an outline (``*_EDGE``): inputs amber, hidden states
blue, outputs green, so that ``x_t``, ``h_t`` and ``y_t`` look the same in every figure.
"""

INPUT_FACE, INPUT_EDGE = "#fef7e0", "#f9ab00"  # x_t
STATE_FACE, STATE_EDGE = "#e8f0fe", "#1a73e8"  # h_t (and c_t)
OUTPUT_FACE, OUTPUT_EDGE = "#e6f4ea", "#188038"  # y_t
ARROW = "0.3"  # connections between the parts (a Matplotlib grey level)
