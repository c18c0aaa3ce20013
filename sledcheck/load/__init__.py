"""Loading: design files, spec packs, thermal sections and mesh/CAD files, validated at the boundary."""
