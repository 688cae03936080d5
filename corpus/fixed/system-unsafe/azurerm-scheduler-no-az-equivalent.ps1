# expect: MI601 MI601 MI601 MI601 MI601 MI601 MI601
# why: AzureRM runbook already on the managed identity that also manages Scheduler job collections (AzureRM.Scheduler, no Az equivalent): MI601 reports every name, but its fix is display-only and names the Scheduler commands, so nothing is renamed.
param(
    [string] $ResourceGroupName = 'rg-legacy-jobs',
    [int] $MaxAgeDays = 30
)

Disable-AzureRmContextAutosave -Scope Process | Out-Null
Connect-AzureRmAccount -Identity | Out-Null
Set-AzureRmContext -SubscriptionId (Get-AutomationVariable -Name 'SubscriptionId') | Out-Null

$collections = Get-AzureRmSchedulerJobCollection -ResourceGroupName $ResourceGroupName
foreach ($collection in $collections) {
    $jobs = Get-AzureRmSchedulerJob -ResourceGroupName $ResourceGroupName -JobCollectionName $collection.JobCollectionName
    $stale = $jobs | Where-Object { $_.LastRun -and $_.LastRun -lt (Get-Date).AddDays(-$MaxAgeDays) }
    if ($stale.Count -eq $jobs.Count) {
        Write-Output "Disabling job collection $($collection.JobCollectionName): no job ran in $MaxAgeDays days"
        Disable-AzureRmSchedulerJobCollection -ResourceGroupName $ResourceGroupName -JobCollectionName $collection.JobCollectionName
    }
}

$group = Get-AzureRmResourceGroup -Name $ResourceGroupName
Write-Output "Checked $(@($collections).Count) collection(s) in $($group.ResourceGroupName)"
