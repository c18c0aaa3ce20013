"""The model: the assembly of placed parts and the analyses shared by the rules (pairs, thermal)."""
