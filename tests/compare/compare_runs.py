"""Two runs of one question for the compare tests: different reasoning, timing and answers."""

from __future__ import annotations

PROMPT = "What is 24 divided by 5?"

#: run A: definition, bloom, two reconstruction cycles, final decision
REASONING_A = (
    "We need to divide 24 by 5.\n\n"
    "Let me compute: 5 × 4 = 20, remainder 4, so 24/5 = 4 remainder 4, which is 4.8. So the answer is 4.8.\n\n"
    "Wait, let me double-check: 5 × 4.8 = 24. Yes, that is right, the answer is 4.8.\n\n"
    "Hmm, but maybe they want a fraction. 24/5 cannot be reduced, since 24 and 5 share no factor. So 24/5.\n\n"
    "So the final answer is \\frac{24}{5}."
)
ANSWER_A = "The answer is $\\boxed{\\frac{24}{5}}$."

#: run B: no reconstruction cycle; the same value written another way
REASONING_B = (
    "Divide 24 by 5.\n\n"
    "24 / 5 = 4.8, because 5 × 4.8 = 24. So the answer is 4.8.\n\n"
    "The final answer is 4.8."
)
ANSWER_B = "**4.8** <script>alert(1)</script>"
