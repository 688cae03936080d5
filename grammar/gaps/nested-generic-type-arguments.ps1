# Generic type arguments written in their own brackets: `[[String],[String]]`.
$map = [System.Collections.Generic.Dictionary[[String],[String]]]::new()
