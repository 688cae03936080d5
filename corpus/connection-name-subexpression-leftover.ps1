# expect: MI101 MI104
# why: Half-migrated runbook that still fetches the Run As connection with its name passed as "$($ConnectionName)" from a param default, and reads its SubscriptionId after the managed-identity sign-in.
param(
    [string] $ConnectionName = 'AzureRunAsConnection',
    [string] $Tag = 'AutoShutdown'
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$connection = Get-AutomationConnection -Name "$($ConnectionName)"
Set-AzContext -SubscriptionId $connection.SubscriptionId | Out-Null

$vms = Get-AzVM -Status | Where-Object { $_.Tags[$Tag] -eq 'true' -and $_.PowerState -eq 'VM running' }
foreach ($vm in $vms) {
    Write-Output ([string]::Format('Stopping {0} in {1}', $vm.Name, $vm.ResourceGroupName))
    Stop-AzVM -Name $vm.Name -ResourceGroupName $vm.ResourceGroupName -Force -NoWait | Out-Null
}
