# expect: MI101 MI102 MI401 MI104
# why: Run As template shape (connection name in a variable, backtick login in try, throw-if-missing catch) followed by a subscription read outside the sign-in.
<#
    .SYNOPSIS
        Removes unattached managed disks older than a given number of days.
#>
param(
    [int]$MinimumAgeDays = 30
)

Disable-AzContextAutosave -Scope Process | Out-Null
try
{
    Write-Output "Signing in to Azure..."
    Connect-AzAccount -Identity | Out-Null
}
catch
{
    Write-Error -Message $_.Exception
    throw $_.Exception
}

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$cutoff = (Get-Date).AddDays(-$MinimumAgeDays)
$orphans = Get-AzDisk | Where-Object { -not $_.ManagedBy -and $_.TimeCreated -lt $cutoff }

foreach ($disk in $orphans)
{
    Write-Output ("Deleting {0} in {1}" -f $disk.Name, $disk.ResourceGroupName)
    Remove-AzDisk -ResourceGroupName $disk.ResourceGroupName -DiskName $disk.Name -Force | Out-Null
}
Write-Output "Removed $($orphans.Count) disk(s)."
