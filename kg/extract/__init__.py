"""The extraction's newer stages: names nobody registered, structured text, the
linguistic analysis and the rules that read it, fed from word lists kept as data
(``kg/extract/wordlists/``). In the order the pipeline runs them:

    Document, its mentions (kg.mentions)
      -> kg.extract.names        names no mention covers, from spaCy's entity spans, typed here
      -> (kg.dates, kg.claims: dates and the sentence rules)
      -> kg.extract.structured   "Key: value" blocks (infoboxes) as fields with offsets
      -> kg.extract.infobox      the page's subject event, sides, commanders, officers and
                                 members of those fields, as claims
      -> kg.extract.profile      the same for a page about an organisation or a person
      -> kg.extract.parsed       claims read off the dependency parse: coordinated places,
                                 the subject's places, the subject of a gerund capture
      -> kg.extract.implied      what claims imply (junta leaders, leavings, a coup's country)
                                 and repeats a finer claim makes redundant
    kg.extract.analysis loads the pinned spaCy model once per process; kg.extract.wordlists
    reads the word lists.
"""
