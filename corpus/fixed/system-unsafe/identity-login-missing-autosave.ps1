# expect: MI401
# why: Managed-identity login with no Disable-AzContextAutosave anywhere: only the context-autosave warning.
param(
    [Parameter(Mandatory)]
    [string] $ResourceGroupName,
    [int] $KeepDays = 7
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$limit = (Get-Date).AddDays(-$KeepDays)
$deployments = Get-AzResourceGroupDeployment -ResourceGroupName $ResourceGroupName |
    Where-Object { $_.Timestamp -lt $limit }

foreach ($deployment in $deployments) {
    Remove-AzResourceGroupDeployment -ResourceGroupName $ResourceGroupName -Name $deployment.DeploymentName | Out-Null
}
Write-Output "Pruned $(@($deployments).Count) deployment record(s) from $ResourceGroupName"
