"""Hand-written rules that label one sentence on its own, and the prompt rule.

These rules are no longer the labeller: the trained model (:mod:`.labeller`) uses their
verdict on each sentence as one of its features (:func:`base_label`), and how much of a
sentence repeats the problem text (:func:`prompt_overlap`) as others.

:func:`sentence_features` strips leading markers ("Wait,", "Hmm,", "But", "So", "Okay",
"Yes": a boundary, not a kind) and measures the rest (maths, numbers, operators, words,
question, colon, answer line).  :func:`base_label` then matches, in order: Monitor phrases
("Let me think.") → Verify cues (check/verify/confirm, "that's correct", "mistake", …) →
answer lines → questions (about a result → Verify, "How many …?" → Plan, tentative →
Explore) → Explore cues ("Maybe", "Alternatively", "What if") → Read cues ("the problem
says") → "let me + verb" (denote/recall → Analyze, compute with a result → Implement, try →
Explore, other → Plan) → Plan openers ("I need to", "Next,") → equations that compute,
numbers and calculation verbs → Implement; relations stated in words ("so t = 1") and
recalled facts → Analyze (the default).

With the problem text (``analyze(..., prompt=...)``), :func:`prompt_overlap` counts the
sentence's content words and numbers that the problem uses, and whether it copies the
problem's expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import NamedTuple

from .prefilter import cue_scanner, searcher
from .segment import MASK, is_math_line, mask_protected

__all__ = ["sentence_features", "base_label", "prompt_words", "prompt_overlap", "PromptInfo", "PromptOverlap"]

_F = re.I


# --------------------------------------------------------------------------- markers
_LEAD_RE = re.compile(
    r"^(?:(?P<m>wait|hmm+|hm+|hold on|hang on|but wait|but hold on|okay|ok|alright|all right|"
    r"oh|ah|aha|well|so|and|but|now|right|yes|yeah|yep|no|nope|correct|exactly|indeed|"
    r"however|also|then|actually|um+|uh|oops|great|good|perfect|got it|interesting|"
    r"hmm+ okay|wait a (?:second|minute|moment))\b[\s,.!…:;\-—]*)",
    _F,
)
_YES_MARKERS = frozenset({"yes", "yeah", "yep", "correct", "exactly", "indeed", "right", "perfect"})
_PIVOT_MARKERS = frozenset({"wait", "but wait", "hold on", "hang on", "but hold on"})

# --------------------------------------------------------------------------- cue sets
_MONITOR_RE = re.compile(
    r"^(?:let me think|let's think|let us think|let me see|let's see|let us see|let me focus|"
    r"let me (?:try to )?(?:figure (?:this|it) out|work (?:this|it) out|think this through|"
    r"understand (?:this|it))|let's (?:try to )?figure (?:this|it) out|"
    r"let me (?:re)?think(?: about)? (?:this|it|that)|"
    r"let me think (?:about )?(?:how|what|again|more|carefully|differently|step by step|for a)|"
    r"let me (?:take|go) (?:a )?(?:step back|back)|let me start over|let me recap|"
    r"i(?:'m| am) (?:a (?:bit|little) )?(?:confused|stuck|lost|overcomplicating|overthinking)|"
    r"(?:this|that|it) (?:is|'s) (?:getting |a bit |quite )?(?:confusing|complicated|tricky|"
    r"tedious|interesting|messy|a lot|frustrating|strange|weird|odd)|"
    r"this seems (?:complicated|tricky|tedious|confusing)|wow\b|(?:that|this|it)(?:'s| is| seems like) (?:a lot|quite a lot|a lot of \w+)[.!]*$|"
    r"(?:that'?s|how) (?:interesting|odd|strange|weird)|"
    r"give me a (?:moment|second)|not sure|i(?:'m| am) not (?:sure|certain)|"
    r"i think i(?:'m| am) (?:getting|going)|okay,? got it|got it|moving on|"
    r"let me (?:try|think) (?:again|once more)|let me (?:slow down|be careful)|"
    r"let me (?:just )?(?:think|see)\b|let(?:'s| me| us) (?:try to )?break (?:this|it|that) down\b|"
    r"let(?:'s| me| us) (?:go|take it|do (?:this|it)|work through (?:this|it)) step[- ]by[- ]step[.!]*$)",
    _F,
)
_MONITOR_WHOLE_RE = re.compile(r"^(?:let me think|let's see|let me see|let's think)[\s.,!…:]*$", _F)
# "Let me make sure I understand what's being asked": taking in the problem, not checking a result
_UNDERSTAND_RE = re.compile(
    r"\b(?:make sure|be sure|check(?: that)?)\s+(?:that\s+)?(?:i|we)\s+(?:fully\s+|correctly\s+)?"
    r"(?:understand|understood|read|am reading|have read)\b(?![^.?!]*\b(?:answer|result|calculation|computation|work)\b)",
    _F,
)

_VERIFY_RE = re.compile(
    r"\b(?=[a-z])(?:(?:let me|let's|let us|i(?:'ll| will| should| need to| can| could| want to| must| have to)|"
    r"we (?:should|can|need to|must)|to|and|now|better|maybe|perhaps|quickly)\s+"
    r"(?:just\s+|quickly\s+|also\s+|now\s+|first\s+|again\s+)*"
    r"(?:double[- ]?check|check|verify|confirm|make sure|recheck|re-check|re-?verify|"
    r"re-?examine|cross[- ]?check|validate|sanity[- ]check|ensure|re-?calculate|recompute|"
    r"re-?evaluate|re-?do|test (?:it|this|that|with|the|for|whether|if|n|x|k))\b"
    r"|(?:double[- ]check(?:ing|ed)?|sanity check|checks? out|checking|verif(?:y|ied|ying|ication)|"
    r"confirm(?:s|ed|ing)?|just to (?:be sure|be safe|make sure|confirm|check|verify)|"
    r"to be (?:sure|safe|thorough)|as (?:expected|before|i (?:found|got|thought)))\b"
    r"|(?:is|are|was|were|seems?|looks?|sounds?|feels?|be)\s+(?:all\s+|also\s+|definitely\s+|indeed\s+|still\s+)?"
    r"(?:correct|right|consistent|reasonable|plausible|valid|wrong|incorrect|off|fine|accurate|solid|sound|good|okay|"
    r"inconsistent|too (?:big|small|large|high|low|much|many|few))\b"
    r"|that(?:'s| is)\s+(?:not\s+)?(?:correct|right|wrong|consistent|the same|good|fine|a (?:contradiction|problem|mistake))\b"
    r"|makes? (?:sense|no sense)\b|(?:doesn't|does not|don't) (?:make (?:much |any )?sense|seem (?:right|correct)|add up|match|work|hold|involve)\b"
    r"|earlier,? (?:i|we) (?:thought|found|got|said|calculated|computed|had)\b"
    r"|(?:consistent|matches|match|agrees?|coincides?|discrepancy|contradict\w*)\b"
    r"|same (?:answer|result|value|number|thing|as (?:before|earlier|previous|above|the))\b"
    r"|indeed\b|back (?:into|in)\b|plug(?:ging)? (?:it|this|that|these|them) back\b"
    r"|(?:mistake|miscalculat\w*|miscount\w*|misread|misunderst\w*|overcount\w*|undercount\w*|double[- ]count\w*|"
    r"error|messed up|made an? \w* ?(?:slip|typo))\b)"
    r"|^i (?:think|believe|guess) so\b|^i don'?t think so\b"
    r"|\b(?=[a-z])(?:exactly what (?:i|we) did\b"
    r"|not \w+ing (?:this|it|that) (?:correctly|right)\b"
    r"|that(?:'s| is)\s+(?:precise|accurate|exact|solid|reasonable)\b"
    r"|(?:that|this|it)(?:'s| is| was)\s+(?:the\s+)?(?:right|correct)\s+(?:answer|result|value|approach|count|number)\b"
    r"|can'?t be (?:right|correct|true)|cannot be (?:right|correct)"
    r"|is (?:not |im)?possible\b|which is (?:true|correct|right|valid)\b|holds\b)|[✓✔]"
    r"|\b(?=[a-z])(?:is (?:the|my) answer\b[^.]*\?|is (?:that|this|it) (?:right|correct|true|valid|possible)\b"
    r"|did i\b|am i\b|have i\b|should be\b|as it should\b|good,|great,"
    r"|(?:that|this|it) (?:also |still |all )?(?:works|adds up)\b|let me correct\b"
    r"|(?<!not )confident\b|i (?:don'?t|do not) see any (?:errors?|mistakes?|problems?|issues?)\b)",
    _F,
)
_READ_RE = re.compile(
    r"\b(?=[a-z])(?:the (?:problem|question|prompt|task|statement|exercise)\b[^.?!]{0,30}?\b(?:says|said|states|"
    r"stated|asks|asked|gives|gave|tells|told|wants|mentions|mentioned|specifies|defines|provides|describes|involves|"
    r"requires|reads|is asking|is about|presents|shows|includes|has)\b"
    r"|(?:we(?:'re| are)|i(?:'m| am)|you(?:'re| are))\s+(?:being\s+)?(?:given|told|asked)\b"
    r"|(?:it|this) (?:says|states|asks|gives|tells)\b"
    r"|(?:the )?(?:answer )?(?:choices|options) (?:are|is|given)\b|the (?:goal|task|objective) is\b"
    r"|i (?:have|got) (?:this|a|the|an) (?:\w+ )?(?:problem|question)\b|here'?s (?:the|a) problem\b"
    r"|according to the (?:problem|question)\b|the problem is\b|the question is\b)"
    r"|^given\b(?! that)"
    r"|\b(?=[a-z])(?:(?:number|value|expression|equation|function|information|definition|data|condition)s? given\b"
    r"|(?:points|coordinates|values|numbers|conditions|equations|facts|measurements) given\b"
    r"|given (?:in|by) the (?:problem|question)\b|we(?:'re| are) (?:supposed|asked) to\b|option [a-e]\b)"
    r"|^\(?[a-e]\)\s",
    _F,
)
_EXPLORE_START_RE = re.compile(
    r"^(?:maybe|perhaps|alternatively|or maybe|or perhaps|or,|or\b|what if|what about|how about|"
    r"suppose|supposing|assume|assuming|another (?:way|approach|idea|possibility|thought|method|option|thing)|"
    r"is there (?:a|an|any) (?:\w+ )?(?:way|approach|method|formula|pattern|trick|shortcut)|"
    r"could (?:it|this|that|there|i|we)|might|i wonder|i guess|possibly|if i (?:try|consider|assume|think of)|"
    r"one (?:idea|approach|way|option|possibility)|i could|we could|i might|we might|"
    r"let me (?:try|consider|explore|think about|look at|attempt) (?:another|a different|an alternative|alternative|other|"
    r"a new|something|a simpler|a better|instead)|let's (?:try|consider|explore) (?:another|a different|an alternative|other)|"
    r"instead|on the other hand|i'm (?:thinking|wondering)|probably)\b",
    _F,
)
_TENTATIVE_RE = re.compile(r"\b(?=[a-z])(?:maybe|perhaps|possibly|might be|could be|i wonder|i suspect|i guess)\b", _F)
_LET_RE = re.compile(
    r"^(?:so,?\s+|then,?\s+|now,?\s+|first,?\s+|next,?\s+|okay,?\s+|alright,?\s+|but\s+|and\s+|wait,?\s+)*"
    r"(?:let me|let's|let us|i(?:'ll| will| shall| am going to|'m going to| can| could)|we(?:'ll| will| can))\s+"
    r"(?:also\s+|just\s+|now\s+|first\s+|quickly\s+|then\s+|again\s+|instead\s+)*(?P<verb>[a-z][a-z-]*)",
    _F,
)
_IMPLEMENT_VERBS = frozenset(
    "compute calculate simplify expand substitute plug solve evaluate multiply divide add "
    "subtract factor rewrite write rearrange combine convert apply differentiate integrate "
    "sum count list tabulate enumerate square cube find get do use set take work "
    "isolate cancel reduce round estimate approximate determine derive".split()
)
_EXPLORE_VERBS = frozenset("try attempt guess test explore experiment".split())
_PLAN_RE = re.compile(
    r"^(?:so,?\s+|then,?\s+|now,?\s+|okay,?\s+|alright,?\s+|and\s+|but\s+)*"
    r"(?:(?:i|we)(?:'ll| will| need to| should| have to| must| want to| am going to|'m going to| shall| can start|"
    r" can begin| first need)|first(?:ly)?\b|next\b|then,? (?:i|we|let|the next)|the (?:next|first|last|final|second|third) "
    r"(?:step|thing|part|task)|to (?:find|solve|compute|calculate|determine|get|figure out|do (?:this|that)|approach|"
    r"start|begin|check whether|see)\b[^,]*,|step \d|my (?:plan|approach|strategy|goal)|the (?:plan|strategy|approach|idea) "
    r"(?:is|would be|here is)|start(?:ing)? (?:by|with)|begin(?:ning)? (?:by|with)|moving on|"
    r"now(?:,)? (?:i|we|let|for|to|on to|onto|the)|what (?:i|we) need (?:is|to)|the (?:\w+ )?we (?:need|want) (?:is|to)|"
    r"(?:calculate|compute|consider|find|determine|simplify|solve|evaluate|expand|substitute|subtract|add|multiply|"
    r"divide|count|use|apply|sum|combine|convert|factor|list|write|treat|fix|replace|group|rewrite)\b|"
    r"start(?:ing)? (?:from|at) the\b|"
    r"then,? (?:calculate|compute|subtract|add|multiply|divide|find|consider|solve|use|apply|count|sum|plug|substitute)\b|"
    r"i think (?:the best way|i (?:need|should|can|will|'ll)|we (?:need|should|can))|the best way (?:to \w+ (?:this|it) )?is\b)",
    _F,
)
_ANALYZE_RE = re.compile(
    r"\b(?=[a-z])(?:i know|we know|known|recall|remember|formula|theorem|by definition|definition|defined|"
    r"denote|principle|property|properties|identity|lemma|rule|law|in general|generally|"
    r"means|mean that|implies|imply|implying|in other words|that is,|i\.e\.|equivalent|corresponds?|"
    r"represents?|depends? on|related to|relationship|the key|note that|notice that|observe that|"
    r"because|since|so that|which means|this means|that means|it follows|thus,? the|"
    r"is a (?:\w+ )?(?:function|polynomial|number|integer|prime|multiple|factor|constant|variable|square|root)|"
    r"must be|has to be|can be (?:written|expressed|represented)|the same as)\b",
    _F,
)
_FACT_RE = re.compile(
    r"\b(?=[a-z])(?:i know|we know|recall|remember|formula|theorem|by definition|definition|identity|the rule|property|"
    r"properties|principle|law of|is given by|is defined as|in general|general (?:form|solution|formula|term|rule)|"
    r"of the form|can be (?:written|expressed) as)\b",
    _F,
)
_CALC_VERB_RE = re.compile(
    r"\b(?=[a-z])(?:plug(?:ging|ged)?|substitut\w*|multipl\w*|divid\w*|adding|add|subtract\w*|simplif\w*|expand\w*|"
    r"factor(?:ing|ed|s)?|comput\w*|calculat\w*|evaluat\w*|solv(?:e|ing|ed)|rearrang\w*|cancel\w*|"
    r"combin\w*|convert\w*|round\w*|gives?|giving|we get|i get|get|got|equals?|becomes?|results? in|"
    r"sum|total|product|difference|quotient|remainder|squared|cubed|times|plus|minus|over|"
    r"divided|percent|equal|value|approximately|about)\b",
    _F,
)
_LIST_MARK_RE = re.compile(r"^(?:\d{1,2}[.)]|[-*\u2022]|\(?[a-e]\))\s+(?:\*\*[^*]{0,60}\*\*:?\s*)?")
_ALPHA2_RE = re.compile(r"[A-Za-z]{2}")
_WORDS_RE = re.compile(r"[A-Za-z']+")
_NUM_RE = re.compile(r"(?<![A-Za-z])\d+(?:[.,]\d+)*")
_OPS_RE = re.compile(r"[=<>≤≥≈×÷±*/^+]|\\(?:times|cdot|div|frac|dfrac|sqrt|approx|le|ge|neq)\b|\s-\s|−")
_CONCLUDE_RE = re.compile(
    r"^(?:so|therefore|thus|hence|then|which|that|this)\b.*\b(?:is|are|=|equals|gives|get|becomes|was|would be|"
    r"comes to|works out)\b",
    _F,
)
_GERUND_CALC_RE = re.compile(
    r"^(?:plugging|substituting|adding|subtracting|multiplying|dividing|simplifying|expanding|factoring|"
    r"computing|calculating|evaluating|solving|rearranging|combining|converting|rounding|squaring|"
    r"cancell?ing|applying|using (?:this|that|these|the) (?:values?|formula|equation|result))\b",
    _F,
)
_IS_VALUE_RE = re.compile(r"\b(?:is|are|was|be|equals?|gives|get|becomes|:)\s+(?:about |approximately |exactly |just |only )?[-−(§\d]", _F)
_INTENT_RE = re.compile(
    r"^(?:(?:so|now|then|first|next|okay|alright|and|but|also),?\s+)*"
    r"(?:(?:i|we)(?:'ll| will| need to| have to| must| want to| should|'m going to| am going to| can| could)|"
    r"let(?:'s| me| us))\b",
    _F,
)
_RESULT_RE = re.compile(
    r"\b(?:gives?|giving|get|got|is|are|was|equals?|becomes?|results? in|comes to|leaves)\s+(?:us\s+)?"
    r"(?:about |approximately |exactly |just |only )?[-−(§\d]",
    _F,
)
_LEADIN_RE = re.compile(
    r"\b(?:is|are|was|becomes?|get|gives?|have|equals?|would be|will be|simplifies to|yields|reduces to|turns into|"
    r"looks like|as follows)\s*:$",
    _F,
)
_TRAIL_NUM_RE = re.compile(r":\s*[-−$]?\d[\d,.]*\s*\$?\s*[.]?$")
_SO_VALUE_RE = re.compile(r"\b(?:so|thus|therefore|hence)\b[^.;]*?\b(?:is|are|was|would be|comes to)\s+[-−(§\d]", _F)
# "which is 89 occurrences", "6 is 0110", "2¹⁸ is 262,144": a value worked out from another
_WHICH_VALUE_RE = re.compile(r"\bwhich\b[^.;]*?\b(?:is|are)\s+[-−(§\d]|[\d§⁰¹²³⁴⁵⁶⁷⁸⁹]\s+(?:is|are)\s+[-−(§\d]", _F)
_REASON_RE = re.compile(r"\b(?:because|since|means|implies|even though|although|depends on|in general)\b", _F)
_TRY_TO_RE = re.compile(r"\s+to\s+(?:\w+ly\s+)?([a-z][a-z-]*)", _F)
_HOW_Q_RE = re.compile(r"^(?:so,? )?(?:how (?:many|much|long|far|big)|what(?:'s| is| are| was) the (?:value|number|total|sum|product))\b", _F)
_CHECK_Q_RE = re.compile(
    r"^(?:is|isn't|does|doesn't|did|was|wasn't|were|are|aren't|would|should|shouldn't|can|am i|have i|is there any)\b", _F
)
_ANSWER_LINE_RE = re.compile(
    r"\\boxed\b|^\W*final answer\b|^(?:(?:so|therefore|thus|hence),?\s+)*(?:i think |i believe )?(?:the )?(?:final )?"
    r"answer (?:is|would be)\b", _F)




# --------------------------------------------------------------------------- the prompt
_PROMPT_TOKEN_RE = re.compile(r"[a-z]+")
_STOP = frozenset(
    "the a an and or of to in on at by for with from into onto is are was were be been being this that these those "
    "it its it's there their they them then than so as if but not no do does did has have had will would can could "
    "should may might must shall we i you he she me my our your us let lets let's what which who whom whose how when "
    "where why each every all any some such one also just only very more most other another same about over under "
    "up down out off again here now okay ok alright wait hmm well yes right think need find get got know see say says "
    "problem question given gives asks asked answer".split()
)
_LATEX_WORDS = frozenset("frac dfrac tfrac text left right cdot times sqrt mathrm mathbf begin end label draw cm".split())


def _content_words(text: str) -> list[str]:
    out = []
    for w in _PROMPT_TOKEN_RE.findall(text.lower()):
        if w in _STOP or w in _LATEX_WORDS or (len(w) < 3 and not w[0].isdigit()):
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


_MATH_KEY_RE = re.compile(r"[\s$]|\\[()\[\]]|\\[,;!]")


class PromptInfo(NamedTuple):
    """What the labels use of the problem text (see :func:`prompt_words`)."""

    words: frozenset[str]  # content words (plural "s" dropped, no stop words) and numbers
    math: str  # the text without spaces, "$" and "\\(", to find expressions copied from it


def prompt_words(prompt: str | None) -> PromptInfo | None:
    """The content words and numbers of the problem text, or None without a prompt."""
    if not prompt:
        return None
    return PromptInfo(
        frozenset(_content_words(prompt)) | frozenset(_NUM_RE.findall(prompt.replace(",", ""))),
        _MATH_KEY_RE.sub("", prompt),
    )


@dataclass(slots=True)
class _Feat:
    raw: str
    core: str  # lower-cased, markers stripped, math replaced by ' § '
    markers: tuple[str, ...]
    math_only: bool
    eq: bool
    nums: int
    ops: int
    words: int
    question: bool
    colon: bool
    answer: bool = False  # states the answer (\boxed, "**Final Answer**", "so the answer is")
    computes: bool | None = False  # carries out arithmetic: "3 * 4 = 12", "488/10 = 48.8", "a = b = 5"
    #                                (None: not worked out yet, see _computes_of)
    cues: int = -1  # bit _B_X set unless _X_RE cannot match ``core`` (-1: all set)


def _symbolic(plain: str, words: list[str] | None = None) -> bool:
    """An equation written with symbols only (``A = P(1 + r/n)^(nt)``): no real words.
    ``words``: ``_WORDS_RE.findall(plain)`` if already known ('§' is no word character,
    so it splits words the same as the space it stood for)."""
    if "=" not in plain:
        return False
    if words is None:
        words = _WORDS_RE.findall(plain.replace("§", " "))
    for w in words:
        if len(w) > 2 and w.lower() not in ("sin", "cos", "tan", "log", "exp", "mod", "gcd", "lcm", "sqrt"):
            return False
    return True


_ARITH_RE = re.compile(
    r"[\d)}⁰¹²³⁴⁵⁶⁷⁸⁹]\s*(?:[-+*×÷·−]|\\times|\\cdot|\\div)\s*\(?[-−]?\d"  # 3 * 4, (1/2) - 2013
    r"|\d\s*/\s*\d[\d.,]*\d"  # 488/10, 1/0.0001 (not a plain 1/2)
    r"|[\d)!}⁰¹²³⁴⁵⁶⁷⁸⁹]\s*(?:=|≈|\\approx)\s*\(?[-−]?\d"  # 488/10 = 48.8, 2¹⁸ = 262,144
)
_WORKING_RE = re.compile(
    r"^(?:compute|calculate|simplify|solve|evaluate|expand|subtract|add|multiply|divide|take|taking)\b"
    r"|\b(?:becomes?|get|gives?|giving|got|comput\w*|calculat\w*|simplif\w*|plug\w*|substitut\w*|solv\w*|"
    r"expand\w*|rearrang\w*|reciprocals?|square root|is equal to|equals|would be|will be)\b"
    r"|:\s*(?:§|[-−(\d])",
    _F,
)

# Prefilters (``prefilter.py``).  Every regex below is searched on the lower-cased sentence
# core only if one of its necessary literals ("needles") occurs there.  One scan of the
# core finds all needles at once (``_cues``), a bit per regex; _ARITH_RE, searched on the
# raw sentence, has its own prefilter.
_CUE_REGEXES = ("VERIFY", "READ", "TENTATIVE", "ANALYZE", "FACT", "CALC_VERB", "IS_VALUE", "RESULT",
                "LEADIN", "REASON", "WORKING", "ANSWER_LINE")
(_B_VERIFY, _B_READ, _B_TENTATIVE, _B_ANALYZE, _B_FACT, _B_CALC_VERB, _B_IS_VALUE, _B_RESULT,
 _B_LEADIN, _B_REASON, _B_WORKING, _B_ANSWER_LINE) = (1 << k for k in range(len(_CUE_REGEXES)))
_cues = cue_scanner([(globals()[f"_{name}_RE"], f"labels._{name}_RE") for name in _CUE_REGEXES])
_ARITH_S = searcher(_ARITH_RE, "labels._ARITH_RE")


def _computes_of(f: _Feat) -> bool:
    """``f.computes``, worked out on first use (most sentences never need it)."""
    c = f.computes
    if c is None:
        c = f.computes = _computes(f.raw)
    return c


def _computes(sentence: str) -> bool:
    """Whether the sentence carries out arithmetic (as opposed to stating a relation
    such as "t = 1", "θ = kπ" or a formula)."""
    if sentence.count("=") + sentence.count("≈") >= 2:
        return True
    return _ARITH_S(sentence) is not None


_MASK_RUN_RE = re.compile(MASK + "+")
_SPACES_RE = re.compile(r"\s+")
_STEP_HEAD_RE = re.compile(r"^step \d+\s*[:.]\s*")
_DIGIT_RE = re.compile(r"\d")
# every match of _OPS_RE holds one of these characters
_OPS_CHAR_RE = re.compile(r"[=<>≤≥≈×÷±*/^+\\\-−]")
_LIST_FIRST = frozenset("-*\u2022(abcde")


def sentence_features(sentence: str) -> _Feat:
    masked, regions = mask_protected(sentence)
    if regions:
        math_chars = 0
        for s, e, _ in regions:
            math_chars += e - s
    else:
        math_chars = 0
    plain = _MASK_RUN_RE.sub(" § ", masked) if MASK in masked else masked
    low = plain.strip().lower()
    markers: list[str] = []
    while True:
        m = _LEAD_RE.match(low)
        if not m or m.end() == 0:
            break
        mk = m.group("m")  # ``low`` is lower-case already
        if not mk.isalpha():
            mk = _SPACES_RE.sub(" ", mk)
        markers.append(mk)
        low = low[m.end():]
    core = low.strip()
    # _LIST_MARK_RE can only match at a digit, "-", "*", "•", "(" or "a"-"e"
    if core and (core[0] in _LIST_FIRST or core[0].isdigit()):
        core = _LIST_MARK_RE.sub("", core, count=1)
    core = core.strip()
    if "**" in core:
        core = _STEP_HEAD_RE.sub("", core.replace("**", "").strip()).strip()
    eq_in = "=" in sentence or "≈" in sentence or "\\approx" in sentence
    wordlist = _WORDS_RE.findall(plain)
    nums = len(_NUM_RE.findall(plain)) if _DIGIT_RE.search(plain) else 0
    math_only = (math_chars > 0 or nums > 0) and (
        _ALPHA2_RE.search(plain) is None or is_math_line(plain.replace("§", " ")) or _symbolic(plain, wordlist)
    )
    cues = -1 if math_only else _cues(core)  # math-only sentences rarely need the cues
    stripped = sentence.rstrip()
    if _OPS_CHAR_RE.search(sentence) is None:
        ops = 0
    else:
        ops = len(_OPS_RE.findall(sentence.replace("**", "") if "**" in sentence else sentence))
    return _Feat(
        sentence,
        core,
        tuple(markers),
        math_only,
        eq_in,
        nums + (1 if math_chars else 0),
        ops,
        len(wordlist),
        "?" in stripped[-4:],
        stripped.endswith(":"),
        "\\boxed" in sentence or bool(cues & _B_ANSWER_LINE and _ANSWER_LINE_RE.search(core)),
        None,  # computes: on first use
        cues,
    )


_PUNCT_ONLY_RE = re.compile(r"[\s:§.,]*")
_TAG_Q_RE = re.compile(r",?\s*(?:right|correct|no|yes|okay|ok)\s*\?+\s*$")


def base_label(f: _Feat) -> tuple[str, bool]:
    """The rules' label of a sentence on its own (from :func:`sentence_features`), and
    whether its cue was strong."""
    core = f.core
    cues = f.cues
    if f.math_only:
        return "Implement", False
    if core in ("where:", "where", "here:"):
        return "Analyze", False
    if not core or len(core) <= 2 or (f.ops >= 2 and _PUNCT_ONLY_RE.fullmatch(core)):
        if f.ops >= 2 and "§" in core:
            return "Implement", False  # "So:" / "Then:" followed by display math
        if any(m in _YES_MARKERS for m in f.markers):
            return "Verify", True
        if f.markers and f.markers[-1] in ("no", "nope"):
            return "Verify", False
        return "Monitor", True
    if _MONITOR_WHOLE_RE.match(core):
        return "Monitor", True
    if _UNDERSTAND_RE.search(core):
        return "Read", True
    verify = _VERIFY_RE.search(core) if cues & _B_VERIFY else None
    if verify and not (verify.group(0).lower().startswith("should be") and f.words > 14) and not (
        # "substituting back in: <math>" feeds a derived piece into the working: Implement
        verify.group(0).lower().startswith(("back", "plug")) and ":" in f.raw and f.ops >= 2
        and not _VERIFY_RE.search(core, verify.end())
    ):
        return "Verify", True
    if f.markers and (f.markers[0] in ("yes", "yeah", "yep", "correct", "exactly", "indeed", "perfect")
                      or any(m in ("yes", "yeah", "yep") for m in f.markers[1:])):
        return "Verify", True
    if f.answer:
        return "Implement", True
    if f.question:
        q = _TAG_Q_RE.sub("", core)
        tag = q != core
        if not (cues & _B_TENTATIVE and _TENTATIVE_RE.search(q)) and not _EXPLORE_START_RE.match(q):
            if any(m in _PIVOT_MARKERS for m in f.markers) or _CHECK_Q_RE.match(q):
                return "Verify", True
            if _HOW_Q_RE.match(q):
                return ("Implement", False) if f.nums else ("Plan", False)
            if tag:
                sub = base_label(replace(f, core=q, question=False))
                if sub[0] != "Monitor":
                    return sub
    if _EXPLORE_START_RE.match(core):
        return "Explore", True
    if (cues & _B_READ and _READ_RE.search(core)):
        return "Read", True
    if _MONITOR_RE.match(core):
        if f.words <= 9 or not (f.nums or f.eq):
            return "Monitor", True
    let = _LET_RE.match(core)
    if let:
        verb = let.group("verb")
        if verb in ("try", "attempt"):
            # "let me try to compute X" announces a step; "let me try elimination" explores
            nxt = _TRY_TO_RE.match(core, let.end())
            if nxt:
                verb = nxt.group(1)
        if verb in ("denote", "define", "call", "name", "label", "number", "recall", "remember", "note", "observe", "notice", "say",
                    "assume", "suppose", "represent", "recognize", "realize", "understand", "analyze", "examine",
                    "interpret", "visualize", "express", "consider", "think", "look", "reason"):
            if verb in ("consider", "think", "look") and f.words > 4 and not (cues & _B_FACT and _FACT_RE.search(core)):
                return "Plan", True
            return "Analyze", True
        if verb in _EXPLORE_VERBS:
            return "Explore", True
        if verb in _IMPLEMENT_VERBS and (
            f.raw.count("=") >= 2 or (cues & _B_RESULT and _RESULT_RE.search(core)) or f.ops >= 3
            or _TRAIL_NUM_RE.search(core)
        ):
            return "Implement", True
        return "Plan", True
    if f.question:
        if (cues & _B_TENTATIVE and _TENTATIVE_RE.search(core)) or f.words > 3:
            return "Explore", True
        return "Monitor", False
    if (cues & _B_TENTATIVE and _TENTATIVE_RE.search(core)) and not f.eq:
        return "Explore", False
    if _PLAN_RE.match(core):
        if _INTENT_RE.match(core):
            computed = f.raw.count("=") >= 2 or (cues & _B_RESULT and _RESULT_RE.search(core)) or f.ops >= 3
        else:
            computed = (f.eq or (f.nums >= 2 and f.ops >= 1 and not f.colon) or f.nums >= 4
                        or (cues & _B_RESULT and _RESULT_RE.search(core)) or " becomes " in core)
        if not computed and not _TRAIL_NUM_RE.search(core):
            return "Plan", True
        if _TRAIL_NUM_RE.search(core):
            return "Implement", True
    if (cues & _B_FACT and _FACT_RE.search(core)):
        return "Analyze", True
    if f.colon and (cues & _B_LEADIN and _LEADIN_RE.search(core)):
        return "Implement", True
    if f.eq or f.ops >= 2:
        if _computes_of(f) or f.nums >= 3 and (cues & _B_CALC_VERB and _CALC_VERB_RE.search(core)):
            return "Implement", True
        # a relation, an assignment or a formula stated in words ("so t = 1", "that is,
        # θ = kπ"): Analyze unless a calculation verb says it is being worked out
        if not (_GERUND_CALC_RE.match(core) or (cues & _B_RESULT and _RESULT_RE.search(core))
                or (cues & _B_WORKING and _WORKING_RE.search(core))):
            return "Analyze", False
        return "Implement", False
    if _GERUND_CALC_RE.match(core):
        return "Implement", True
    if (f.nums and f.ops < 2 and (cues & _B_REASON and _REASON_RE.search(core))
            and not (cues & _B_IS_VALUE and _IS_VALUE_RE.search(core))):
        return "Analyze", False
    if f.nums and ((cues & _B_CALC_VERB and _CALC_VERB_RE.search(core)) or _CONCLUDE_RE.match(core)
                   or (cues & _B_IS_VALUE and _IS_VALUE_RE.search(core))):
        if (f.ops == 0 and "!" not in f.raw and not _CONCLUDE_RE.match(core)
                and not (f.markers and f.markers[-1] in ("so", "then")) and not _SO_VALUE_RE.search(core)
                and not _WHICH_VALUE_RE.search(core)
                and not (cues & _B_CALC_VERB and _CALC_VERB_RE.search(core)) and not _computes_of(f)):
            # a value stated, not worked out ("n would be 12", "which is 10 units high")
            return "Analyze", False
        return "Implement", False
    if f.nums >= 3 and (f.ops >= 1 or _computes_of(f)):
        return "Implement", False
    if (cues & _B_ANALYZE and _ANALYZE_RE.search(core)):
        return "Analyze", True
    if f.words <= 3 and not f.nums:
        return "Monitor", False
    return "Analyze", False


class PromptOverlap(NamedTuple):
    """How much of a sentence comes from the problem text (:func:`prompt_overlap`)."""

    words: int  # content words of the sentence
    given: int  # of those, words the problem uses
    numbers: int  # numbers in the sentence
    numbers_given: int  # of those, numbers the problem states
    copies: bool  # the sentence writes out an expression of the problem again


def prompt_overlap(f: _Feat, prompt: PromptInfo) -> PromptOverlap:
    cw = _content_words(f.core)
    nums = _NUM_RE.findall(f.raw.replace(",", "")) if f.nums else []
    m = _MATH_KEY_RE.sub("", f.raw) if f.math_only or f.ops else ""
    return PromptOverlap(len(cw), sum(w in prompt.words for w in cw), len(nums),
                         sum(x in prompt.words for x in nums), len(m) >= 8 and m in prompt.math)

