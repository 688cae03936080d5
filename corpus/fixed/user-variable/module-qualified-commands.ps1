# expect: MI101 MI102
# why: Module-qualified command names (Orchestrator.AssetManagement.Cmdlets\Get-AutomationConnection, Az.Accounts\Connect-AzAccount) are the same commands.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Az.Accounts\Disable-AzContextAutosave -Scope Process | Out-Null

Az.Accounts\Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

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
