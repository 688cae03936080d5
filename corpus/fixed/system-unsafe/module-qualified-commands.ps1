# expect: MI101 MI102
# why: Module-qualified command names (Orchestrator.AssetManagement.Cmdlets\Get-AutomationConnection, Az.Accounts\Connect-AzAccount) are the same commands.
Az.Accounts\Disable-AzContextAutosave -Scope Process | Out-Null

Az.Accounts\Connect-AzAccount -Identity | Out-Null

$workspace = Get-AzOperationalInsightsWorkspace | Select-Object -First 1
$query = @'
Heartbeat
| summarize LastSeen = max(TimeGenerated) by Computer
| where LastSeen < ago(2h)
'@
$result = Invoke-AzOperationalInsightsQuery -WorkspaceId $workspace.CustomerId -Query $query
foreach ($row in $result.Results) {
    Write-Output "$($row.Computer) silent since $($row.LastSeen)"
}
