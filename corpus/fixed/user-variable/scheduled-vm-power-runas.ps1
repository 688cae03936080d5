# expect: MI101 MI102 MI401 MI104
# why: Longer start/stop scheduler with a switch statement and nested loops; the Run As login sits in a try block and the subscription read comes after it.
<#
.SYNOPSIS
    Starts or stops every VM carrying a PowerSchedule tag that matches the requested action.
.PARAMETER Action
    Start or Stop.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('Start', 'Stop')]
    [string] $Action,

    [string] $ScheduleTag = 'PowerSchedule',
    [string] $ScheduleName = 'office-hours'
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$ErrorActionPreference = 'Stop'

Disable-AzContextAutosave -Scope Process | Out-Null
try {
    Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
}
catch {
    Write-Error "Sign-in failed: $($_.Exception.Message)"
    throw
}

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
$context = Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id
Write-Output "Working in $($context.Subscription.Name)"

$vms = Get-AzVM -Status | Where-Object { $_.Tags[$ScheduleTag] -eq $ScheduleName }
$changed = 0
foreach ($vm in $vms) {
    switch ($Action) {
        'Start' {
            if ($vm.PowerState -ne 'VM running') {
                Start-AzVM -ResourceGroupName $vm.ResourceGroupName -Name $vm.Name -NoWait | Out-Null
                $changed++
            }
        }
        'Stop' {
            if ($vm.PowerState -eq 'VM running') {
                Stop-AzVM -ResourceGroupName $vm.ResourceGroupName -Name $vm.Name -Force -NoWait | Out-Null
                $changed++
            }
        }
    }
}
Write-Output "$Action requested for $changed of $(@($vms).Count) VM(s) tagged $ScheduleTag=$ScheduleName"
