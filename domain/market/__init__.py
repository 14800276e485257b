"""Market services: the technology market's oversight around deals (技术合同认定登记 first).

The technology-contract registration record (表 JJ-001) a seller prepares for each signed contract,
checked against the registrar's refusal grounds a machine can check, and the registry's number.
"""
