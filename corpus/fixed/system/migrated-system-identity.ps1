# expect: none
# why: Already migrated runbook: autosave disabled first, Connect-AzAccount -Identity, subscription from an Automation variable.
param(
    [string] $ResourceGroupName = 'rg-batch-jobs'
)

Disable-AzContextAutosave -Scope Process | Out-Null

# Sign in with the Automation account's system-assigned managed identity
$azureContext = (Connect-AzAccount -Identity).Context
$subscriptionId = Get-AutomationVariable -Name 'TargetSubscriptionId'
$azureContext = Set-AzContext -SubscriptionId $subscriptionId -DefaultProfile $azureContext

$containers = Get-AzContainerGroup -ResourceGroupName $ResourceGroupName -DefaultProfile $azureContext
foreach ($group in $containers) {
    if ($group.InstanceViewState -eq 'Succeeded' -or $group.InstanceViewState -eq 'Stopped') {
        Write-Output "Removing finished container group $($group.Name)"
        Remove-AzContainerGroup -ResourceGroupName $ResourceGroupName -Name $group.Name -DefaultProfile $azureContext | Out-Null
    }
}
