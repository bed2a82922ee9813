"""A hypothesis strategy for the interpolators' tests: 1 to 8 box keyframes on distinct frames
(1..60), in frame order, with any position, size, rotation (-720..720) and lifespan switch."""

from hypothesis import strategies as st

from tracklabel.core.schema import BoxKeyframe

coords = st.floats(-50, 150, allow_nan=False)
keyframes = st.lists(
    st.tuples(st.integers(1, 60), coords, coords, st.floats(0, 100), st.floats(0, 100),
              st.floats(-720, 720), st.booleans()),
    min_size=1, max_size=8, unique_by=lambda k: k[0],
).map(lambda ks: [BoxKeyframe(frame=k[0], x=k[1], y=k[2], width=k[3], height=k[4],
                              rotation=k[5], enabled=k[6]) for k in sorted(ks)])
