module gauntlet.local/tools/kind/runc-capfix

go 1.24.0
