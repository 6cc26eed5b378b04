"""The extraction's newer stages: structured text, the linguistic analysis and the
rules that read it, fed from word lists kept as data (``kg/extract/wordlists/``).

    Document
      -> kg.extract.structured   "Key: value" blocks (infoboxes) as fields with offsets
      -> kg.extract.infobox      the page's subject event, commanders, leaders, members,
                                 casualties and results of those fields, as claims
      -> kg.extract.analysis     spaCy parse of the sentences that can hold a fact
      -> kg.extract.parsed       claims read off the parse: coordinated objects, appositions
"""
