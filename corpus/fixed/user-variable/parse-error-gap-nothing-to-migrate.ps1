# expect: none
# why: A migrated runbook with a grammar gap (double-quoted switch clauses holding a space) in its reporting code; nothing there could hide a finding and no fix is held back, so no MI902.
param(
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroupName
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$summary = @{ Running = 0; Stopped = 0; Other = 0 }
foreach ($vm in Get-AzVM -ResourceGroupName $ResourceGroupName -Status) {
    switch ($vm.PowerState) {
        "VM running" { $summary.Running++ }
        "VM deallocated" { $summary.Stopped++ }
        default { $summary.Other++ }
    }
}

Write-Output "Running: $($summary.Running), deallocated: $($summary.Stopped), other: $($summary.Other)"
