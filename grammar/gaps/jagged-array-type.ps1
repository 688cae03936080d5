# A jagged array type `[string[][]]`.
function Import-InOrder([string[][]] $Batches) {
    $Batches.Count
}
