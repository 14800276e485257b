"""Market services commands: technology-contract registration (技术合同认定登记)."""
