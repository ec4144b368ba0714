"""Build en-hedge-sample.gold.jsonl from the marked-up text below (run once; output committed).

The text was written for annotate-kit by its lexicon author and is dedicated to the public
domain (CC0); no BioScope or other English hedge corpus is available as a package. Cues were
marked from the annotation guidelines before the pre-annotator was run on the text. Because
the annotator also wrote the English lexicon, the figures measured on it are optimistic.
Markup: [[cue words|TYPE]]. Only the cue layer is annotated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from annotate_kit.scheme.records import new_record

MARKED = """\
Talks between the two delegations [[reportedly|ATTRIBUTION]] ended late on Tuesday without a joint statement.
[[According to|ATTRIBUTION]] officials in Geneva, the meeting lasted [[about|HEDGE]] six hours.
[[Some analysts|WEASEL]] [[say|ATTRIBUTION]] the outcome [[may|EPISTEMIC]] signal a [[possible|HEDGE]] thaw in relations.
The ministry [[did not|NEGATION]] [[confirm|ATTRIBUTION]] the figures, which [[could not|NEGATION]] be independently verified.
A follow-up meeting [[would|CONDITIONAL]] take place in March [[if|CONDITION]] both sides agree on an agenda.
The envoy [[described|ATTRIBUTION]] the discussions [[as|ATTRIBUTION]] [["constructive"|DISTANCING_QUOTE]], a word he has used before.
Diplomats [[believe|DOXASTIC]] that a deal is [[unlikely|EPISTEMIC]] before the summer, and [[it seems|EPISTEMIC]] that neither side is ready to move.
Investigators are still [[examining|INVESTIGATION]] [[whether|INVESTIGATION]] the documents were altered.
The agreement is [[largely|HEDGE]] symbolic, [[according to|ATTRIBUTION]] [[several experts|WEASEL]].
It was, [[perhaps|EPISTEMIC]], the most [[historic|PEACOCK]] session in a decade, and [[no|NEGATION]] breakthrough was announced.
Officials [[suggested|ATTRIBUTION]] the sanctions [[might|EPISTEMIC]] be eased [[partially|HEDGE]], [[though|HEDGE]] [[nothing|NEGATION]] has been decided.
"""

CUE = re.compile(r"\[\[(.+?)\|([A-Z_]+)\]\]")


def build() -> dict:
    text, cues, last = "", [], 0
    for match in CUE.finditer(MARKED):
        text += MARKED[last : match.start()]
        start = len(text)
        text += match.group(1)
        cues.append(
            {
                "id": f"cue-{len(cues) + 1}",
                "start": start,
                "end": len(text),
                "text": match.group(1),
                "label": match.group(2),
            }
        )
        last = match.end()
    text += MARKED[last:]
    record = new_record(text=text, lang="en")
    record["annotation"] = {
        "id": "en-hedge-sample-1",
        "annotator": "annotate-kit lexicon author",
        "origin": "gold",
    }
    record["cues"] = cues
    return record


if __name__ == "__main__":
    out = Path(__file__).with_name("en-hedge-sample.gold.jsonl")
    out.write_text(json.dumps(build(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(out)  # noqa: T201 - a one-off generator script
